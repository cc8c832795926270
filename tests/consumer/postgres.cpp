// warden::postgres from a host: the target brings libpq's headers and library. No server runs
// here (tests/adapters/postgres has one), so this proves the link and a refused connection: a
// server that is not there is cannot_open, naming the database. Exits non-zero otherwise.
#include <warden/adapters/postgres.hpp>

#include <string>

int main() {
    try {
        (void)warden::postgres::connection::open(
            "host=/nonexistent-warden-consumer dbname=jobs connect_timeout=1");
    } catch (const warden::postgres::error& e) {
        const bool ok = e.kind() == warden::postgres::error_kind::cannot_open &&
                        std::string{e.what()}.find("database jobs") != std::string::npos;
        return ok ? 0 : 1;
    }
    return 1;
}
