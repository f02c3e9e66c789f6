FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY projections projections
COPY api api
COPY consumers consumers
COPY infra infra
RUN pip install --no-cache-dir . && useradd --system tsunagu
USER tsunagu
EXPOSE 8000
CMD ["tsunagu", "serve", "--host", "0.0.0.0", "--port", "8000"]
