// tests/unit/net/loopback_server.hpp
#pragma once

// A real HTTP server on 127.0.0.1 for the net and alert tests: a small
// Python receiver (stdlib http.server) written into the test's directory and
// started with process::spawn. It answers a programmed sequence of
// responses (the last one repeats) and records each request it gets as
// request-N.json (method, path, headers) and request-N.body (raw bytes).
//
// start() returns nullopt only when python3 is missing; the test then says
// so with MESSAGE and returns.

#include <runner/process/child.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <utility>
#include <vector>

namespace tapline::test {

inline constexpr const char* k_no_python =
    "python3 not found on PATH: test skipped";

inline constexpr std::string_view k_receiver_script = R"PY(
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

directory = sys.argv[1]
with open(os.path.join(directory, "responses.json")) as f:
    responses = json.load(f)
lock = threading.Lock()
count = 0

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, method):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            n = count
            count += 1
            spec = responses[min(n, len(responses) - 1)]
            with open(os.path.join(directory, f"request-{n}.body"), "wb") as f:
                f.write(body)
            meta = {"method": method, "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()]}
            tmp = os.path.join(directory, f"request-{n}.json.tmp")
            with open(tmp, "w") as f:
                json.dump(meta, f)
            os.rename(tmp, os.path.join(directory, f"request-{n}.json"))
        time.sleep(spec.get("delay_ms", 0) / 1000)
        payload = spec.get("body", "").encode() + b"x" * spec.get("body_size", 0)
        try:
            self.send_response(spec.get("status", 200))
            for key, value in spec.get("headers", {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass

    def do_GET(self):
        self.answer("GET")

    def do_POST(self):
        self.answer("POST")

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
tmp = os.path.join(directory, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, os.path.join(directory, "port"))
server.serve_forever()
)PY";

struct RecordedRequest
{
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Value of the header `name` (case-insensitive), or "" when absent.
  [[nodiscard]] std::string
  header(std::string_view name) const
  {
    const auto lower = [](std::string_view text) {
      std::string out(text);
      std::ranges::transform(out, out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
      });
      return out;
    };
    for (const auto& [key, value] : headers) {
      if (lower(key) == lower(name)) {
        return value;
      }
    }
    return {};
  }
};

inline std::string
read_text(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class LoopbackServer
{
public:
  // `responses`: a JSON array of {"status", "headers": {..}, "body",
  // "body_size" (extra 'x' bytes), "delay_ms"}.
  static std::optional<LoopbackServer>
  start(const std::filesystem::path& dir, std::string_view responses)
  {
    const auto server_dir = dir / "server";
    std::filesystem::create_directories(server_dir);
    std::ofstream(server_dir / "responses.json") << responses;
    std::ofstream(server_dir / "receiver.py") << k_receiver_script;
    process::SpawnSpec spec;
    spec.argv = {
        "python3", (server_dir / "receiver.py").string(), server_dir.string()};
    spec.die_with_parent = process::DieWithParent::yes;
    auto child = process::spawn(spec);
    if (!child) {
      return std::nullopt;
    }
    LoopbackServer server(std::move(*child), server_dir);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!std::filesystem::exists(server_dir / "port")) {
      if (server.m_child.try_wait()) {
        FAIL("receiver.py exited before it was listening");
      }
      if (std::chrono::steady_clock::now() > deadline) {
        FAIL("receiver.py did not start within 10 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server.m_port = std::stoi(read_text(server_dir / "port"));
    return server;
  }

  [[nodiscard]] int
  port() const
  {
    return m_port;
  }

  [[nodiscard]] std::string
  url(std::string_view path = "/hook") const
  {
    return "http://127.0.0.1:" + std::to_string(m_port) + std::string(path);
  }

  [[nodiscard]] std::size_t
  request_count() const
  {
    std::size_t count = 0;
    while (std::filesystem::exists(json_path(count))) {
      ++count;
    }
    return count;
  }

  [[nodiscard]] RecordedRequest
  request(std::size_t n) const
  {
    REQUIRE_MESSAGE(std::filesystem::exists(json_path(n)),
                    "no request ",
                    n,
                    " was recorded");
    RecordedRequest recorded;
    recorded.body =
        read_text(m_dir / ("request-" + std::to_string(n) + ".body"));
    simdjson::dom::parser parser;
    const simdjson::padded_string json(read_text(json_path(n)));
    simdjson::dom::element root;
    REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
    recorded.method = std::string(root["method"].get_string().value());
    recorded.path = std::string(root["path"].get_string().value());
    for (const auto pair : root["headers"].get_array()) {
      recorded.headers.emplace_back(
          std::string(pair.at(0).get_string().value()),
          std::string(pair.at(1).get_string().value()));
    }
    return recorded;
  }

private:
  LoopbackServer(process::Child child, std::filesystem::path dir)
      : m_child(std::move(child)), m_dir(std::move(dir))
  {
  }

  [[nodiscard]] std::filesystem::path
  json_path(std::size_t n) const
  {
    return m_dir / ("request-" + std::to_string(n) + ".json");
  }

  process::Child m_child; // killed with its group on destruction
  std::filesystem::path m_dir;
  int m_port = 0;
};

// A loopback port nothing listens on: bound (so no one else takes it) but
// not listening, so a connection is refused at once.
class RefusingPort
{
public:
  RefusingPort()
  {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(::bind(m_fd,
                   reinterpret_cast<const sockaddr*>(&address),
                   sizeof(address)) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(::getsockname(
                m_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    m_port = ntohs(address.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { ::close(m_fd); }

  [[nodiscard]] int
  port() const
  {
    return m_port;
  }

  [[nodiscard]] std::string
  url(std::string_view path = "/hook") const
  {
    return "http://127.0.0.1:" + std::to_string(m_port) + std::string(path);
  }

private:
  int m_fd = -1;
  int m_port = 0;
};

} // namespace tapline::test
