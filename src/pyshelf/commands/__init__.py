"""One module per command, or per few related commands: each defines its commands' command
line in ``COMMANDS`` (``common.Command``), which ``cli`` collects, and runs them.

``pyshelf --help`` imports every one of them, so at module level they import only
``commands.common``, ``ui``, ``layout``, ``errors`` and ``core.clock``; what running a
command needs is imported in the function that needs it.
"""
