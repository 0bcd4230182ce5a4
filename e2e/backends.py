"""Local HTTP backends that answer with their name and what they received."""

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Backend:
    def __init__(self, name: str, tls=None, port: int = 0):
        """tls: (certificate file, key file) to serve HTTPS instead of plain HTTP; port: 0 for any."""
        self.name = name
        self.requests = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                backend.requests.append({"path": self.path, "headers": dict(self.headers)})
                body = json.dumps({"backend": backend.name, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
