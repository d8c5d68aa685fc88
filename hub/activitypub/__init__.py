"""Pure ActivityPub: AS2 documents, HTTP signatures, WebFinger and NodeInfo, with no I/O."""
