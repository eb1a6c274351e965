"""A schema file named like a Python keyword becomes a module with a trailing underscore."""

import chatsdk.class_ as module

assert module.Thing.from_dict({"id": "t", "name": "n"}).name == "n"
