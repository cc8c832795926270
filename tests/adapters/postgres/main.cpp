// The PostgreSQL tests' main and fixture (fixture.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "fixture.hpp"

namespace pgt {

std::string server_conninfo() {
    if (const char* c = std::getenv("WARDEN_PG_CONNINFO"); c && *c) return c;
    const char* dir = std::getenv("WARDEN_PG_DIR");
    if (!dir || !*dir)
        throw std::runtime_error("no PostgreSQL server: run through ctest (the postgres.server "
                                 "fixture), or set WARDEN_PG_CONNINFO or WARDEN_PG_DIR");
    std::ifstream in(std::string{dir} + "/conninfo");
    std::string line;
    if (!std::getline(in, line) || line.empty())
        throw std::runtime_error(std::string{"no PostgreSQL server: "} + dir +
                                 "/conninfo is missing (did postgres.server.start fail?)");
    return line;
}

fresh_db::fresh_db() {
    static int counter = 0;
    schema = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const std::string base = server_conninfo();
    auto admin = pg::connection::open(base);
    admin.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
    conninfo = base + " options='-c search_path=" + schema + "'";
}

fresh_db::~fresh_db() {
    try {
        auto admin = pg::connection::open(server_conninfo());
        admin.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (...) {
        // The server is gone: server.sh stop removes it all.
    }
}

std::int64_t count(pg::connection& db, const std::string& sql) {
    const auto r = db.exec(sql);
    return r.rows() ? r.integer(0, 0) : -1;
}

std::string row_text(pg::connection& db, std::int64_t id) {
    pg::params p;
    p.add(id);
    const auto r = db.exec("SELECT row_to_json(j)::text FROM jobs AS j WHERE id = $1::bigint", p);
    return r.rows() ? r.text(0, 0) : std::string{"<no row>"};
}

} // namespace pgt

int main(int argc, char* argv[]) {
    return Catch::Session().run(argc, argv);
}
