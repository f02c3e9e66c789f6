"""Request and response bodies. Commands are ``XCreate``/``X`` bodies; answers are ``XPublic``."""
