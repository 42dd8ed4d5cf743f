"""A size limit that applies while an upload arrives, not after it is on disk."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitedUploadHandler(FileUploadHandler):
    """Put first in a request's upload handlers: once the request's files pass `limit` bytes
    nothing more is handed on (so nothing more is written to disk), and the request is marked
    ``upload_too_large`` for the page to say why."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.total = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)  # the rest of the body is read and dropped
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file
