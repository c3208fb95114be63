"""The HTTP/SSE server of the helpdesk agent and its `helpdesk` command line."""
