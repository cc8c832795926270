#pragma once
// What applying a plan did, action by action: the result types both database adapters (SQLite,
// PostgreSQL) return, so a host and the CLI read one shape whichever database it runs against.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {
inline namespace v0 {
namespace adapters {

enum class action_status : std::uint8_t {
    applied,      // the row matched and was written, and the transaction committed
    conflict,     // 0 rows: the row moved since the snapshot; nothing written for it
    runtime_only, // stop_job: for the host to carry out (no write to its job failed before it)
    // Not carried out, and not to be carried out: an earlier write to its job conflicted (a
    // version predicted from that write must not authorise this one, and a stop must not follow
    // a status write that did not land), or the transaction was rolled back (abort on conflict,
    // a plan with errors) before or after this action's statement ran.
    not_reached,
    // Not carried out: its statement writes a column the host's table does not have (mapped to
    // null; apply_result::unsupported names it). Every other action on its job is not_reached,
    // so no job is half-written.
    unsupported,
};

[[nodiscard]] constexpr std::string_view to_string(action_status s) noexcept {
    switch (s) {
    case action_status::applied: return "applied";
    case action_status::conflict: return "conflict";
    case action_status::runtime_only: return "runtime_only";
    case action_status::not_reached: return "not_reached";
    case action_status::unsupported: return "unsupported";
    }
    return "unknown";
}

enum class on_conflict : std::uint8_t {
    skip,  // report the conflict, apply the rest (default)
    abort, // roll the whole transaction back at the first conflict
};

struct apply_options {
    on_conflict conflicts = on_conflict::skip;
    // Called after each action with its result, inside the transaction, before COMMIT (tests use
    // it to crash there; the simulator to check each write as it happens). An action skipped
    // because an earlier write to its job conflicted is reported too, as not_reached. The status
    // is provisional: under on_conflict::abort a later conflict rolls back writes reported here
    // as applied; apply_result holds the final statuses.
    std::function<void(std::size_t, action_status)> after_each;
};

// An action not carried out because its statement writes a column the host lacks.
struct unsupported_write {
    std::size_t action = 0; // its index in the plan
    std::string column;     // warden's name of the column
};

struct apply_result {
    std::vector<action_status> actions; // one per plan action, final: after a rollback, none
                                        // is applied or runtime_only
    bool committed = false;             // false: nothing at all was written
    std::int64_t applied = 0;           // committed row writes
    std::int64_t conflicts = 0;
    std::int64_t not_reached = 0;
    std::vector<unsupported_write> unsupported; // each unsupported action and the column
};

} // namespace adapters
} // namespace v0
} // namespace warden
