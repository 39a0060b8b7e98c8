"""The sync wire protocol, shared by the client's sync engine and the server (imports only
``domain/``). The request and response bodies are in :mod:`desktop_crm.protocol.messages`."""
