# Every dependency is a Debian -dev package (see scripts/install-deps);
# nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(CURL REQUIRED)
# Howard Hinnant's date: IANA time zones for schedules (Debian builds it
# against the system's tzdata in /usr/share/zoneinfo).
find_package(date CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
