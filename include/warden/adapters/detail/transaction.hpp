#pragma once
// One write transaction around an adapter's statements, shared by the SQLite and the PostgreSQL
// adapter: committed when the body says so, rolled back when it says not to, and rolled back
// (never committed) when it throws. The statements that open, commit and roll back a transaction
// are each adapter's (`BEGIN IMMEDIATE` on SQLite, `BEGIN` and a COMMIT that refuses a silent
// rollback on PostgreSQL), passed in as a transaction type:
//   tx.begin()      opens the transaction (throws the adapter's error)
//   tx.commit()     commits it (throws)
//   tx.roll_back()  rolls it back on the body's word (throws)
//   tx.abandon()    rolls back whatever is open after an exception; noexcept, never throws
#include <optional>
#include <type_traits>
#include <utility>

namespace warden {
inline namespace v0 {
namespace adapters {
namespace detail {

// Runs `body()` inside one transaction. `body` returns whether to commit: true commits, false
// rolls back. An exception from the body, the commit or the rollback abandons the transaction
// and is rethrown, so nothing of it is ever half-written. Returns what the body returned.
template <class Transaction, class Body>
bool with_transaction(Transaction&& tx, Body&& body) {
    tx.begin();
    try {
        const bool commit = std::forward<Body>(body)();
        if (commit)
            tx.commit();
        else
            tx.roll_back();
        return commit;
    } catch (...) {
        static_assert(noexcept(tx.abandon()), "abandon() runs on the error path: never throws");
        tx.abandon();
        throw;
    }
}

// Runs `write()` inside one transaction that always commits when it returns, and returns its
// result; rolled back when it throws.
template <class Transaction, class Write>
auto in_transaction(Transaction&& tx, Write&& write) {
    using result_type = std::invoke_result_t<Write&>;
    if constexpr (std::is_void_v<result_type>) {
        with_transaction(std::forward<Transaction>(tx), [&] {
            write();
            return true;
        });
    } else {
        std::optional<result_type> out;
        with_transaction(std::forward<Transaction>(tx), [&] {
            out.emplace(write());
            return true;
        });
        return std::move(*out);
    }
}

} // namespace detail
} // namespace adapters
} // namespace v0
} // namespace warden
