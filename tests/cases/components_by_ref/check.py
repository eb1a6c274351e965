"""A request body, a response and a response header given by $ref to components/ are read as
if written inline: the operation takes ThingRequest's fields and returns a Thing."""

import inspect

from chatsdk import Client
from chatsdk.api import Thing

create = inspect.signature(Client(api_key="k", base_url="http://127.0.0.1:9").things.create)
assert "name" in create.parameters
assert create.return_annotation in (Thing, "_api.Thing")
