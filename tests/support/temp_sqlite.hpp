#pragma once
// A fresh SQLite database file per test and a one-number query: the adapter tests' shared setup.
#include <warden/adapters/sqlite.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace wt {

// A database file in the temp directory, named by pid and a counter (unique across the forked
// children of a test), removed with its journal files before and after.
struct temp_db {
    std::filesystem::path path;
    temp_db() {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("warden-sqlite-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++) + ".db");
        remove();
    }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;
    ~temp_db() { remove(); }
    void remove() const {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path.string() + suffix);
    }
    [[nodiscard]] warden::sqlite::database
    open(warden::sqlite::database::mode m = warden::sqlite::database::mode::read_write,
         std::chrono::milliseconds busy = std::chrono::seconds{5}) const {
        return warden::sqlite::database::open(path.string(), m, busy);
    }
    [[nodiscard]] warden::sqlite::database create() const {
        auto db = open(warden::sqlite::database::mode::create);
        warden::sqlite::create_schema(db);
        return db;
    }
};

// The first column of the first row of `sql` (a count, a version).
inline std::int64_t count(warden::sqlite::database& db, const std::string& sql) {
    warden::sqlite::detail::statement st(db.handle(), sql);
    st.step();
    return st.integer(0);
}

} // namespace wt
