"""The round-trip tests of a generated SDK: the cases that prove its models and schemas agree.

Built from the IR and the loaded documents; rendered into ``generated/tests/``.
"""
