"""``sdkforge serve``: the reference server built from the schemas, with fault injection.

Needs the ``serve`` extra (``pip install 'sdkforge[serve]'``): starlette and uvicorn.
"""
