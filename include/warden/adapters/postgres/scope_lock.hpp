#pragma once
// Several watchdogs, one database (issue 20, item 3): a per-scope advisory lock, so that one
// watchdog decides a scope (a crawl host, a source) per tick and a second one on the same scope
// skips its tick instead of deciding on the same rows. Compare-and-set still guards every row
// write; this lock keeps two watchdogs from both acting on the same aggregate. docs/postgres.md.
#include <warden/adapters/postgres/connection.hpp>

#include <string>
#include <string_view>

namespace warden {
inline namespace v0 {
namespace postgres {

// A session-level advisory lock on one scope key, held from a successful try_acquire until
// release or the connection closes (so a watchdog killed mid-tick frees its scope at once: the
// server ends its session). Never waits: pg_try_advisory_lock answers at once.
class scope_lock {
  public:
    // The key is the scope's name (any text: "crawl-host-3", "source:hc"), hashed by the server
    // (hashtextextended, 64 bits) into the advisory lock's bigint; the hash is prefixed so that
    // warden's keys do not collide with a host's own advisory locks on small integers.
    scope_lock(connection& db, std::string scope)
        : db_(&db)
        , scope_(std::move(scope)) {}
    scope_lock(const scope_lock&) = delete;
    scope_lock& operator=(const scope_lock&) = delete;
    ~scope_lock() { release(); }

    // True when this session now holds the scope; false when another session does.
    [[nodiscard]] bool try_acquire() {
        if (held_) return true;
        params p;
        p.add("warden-scope:" + scope_);
        const result r = db_->exec("SELECT pg_try_advisory_lock(hashtextextended($1::text, 0))", p);
        held_ = r.text(0, 0) == "t";
        return held_;
    }
    void release() noexcept {
        if (!held_) return;
        held_ = false;
        try {
            params p;
            p.add("warden-scope:" + scope_);
            (void)db_->exec("SELECT pg_advisory_unlock(hashtextextended($1::text, 0))", p);
        } catch (...) {
            // The connection is gone: the server released the lock with the session.
        }
    }
    [[nodiscard]] bool held() const noexcept { return held_; }
    [[nodiscard]] const std::string& scope() const noexcept { return scope_; }

  private:
    connection* db_;
    std::string scope_;
    bool held_ = false;
};

} // namespace postgres
} // namespace v0
} // namespace warden
