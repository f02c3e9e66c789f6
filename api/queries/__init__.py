"""Named queries: what the API's routes and the web pages both ask, in one place each.

One module per concern (``workloads``, ``indicators``, ``audit``). A query takes the application's
services or read models, the actor asking and the parameters; it decides whether the actor may
ask (raising the API's ``problem`` or a domain error as the routes always have) and answers data.
Routes and pages only translate: parse, call the query, answer JSON, a page or a download.
"""
