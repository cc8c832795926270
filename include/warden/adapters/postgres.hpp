#pragma once
// The PostgreSQL applier (issue 20): load a snapshot from a jobs database and apply a plan in one
// transaction, every row write a compare-and-set whose 0-row result is a conflict, never a
// success (B7); a per-scope advisory lock for several watchdogs on one database. Header-only;
// the host links libpq (CMake: warden::postgres). docs/postgres.md.
#include <warden/adapters/postgres/apply.hpp>
#include <warden/adapters/postgres/connection.hpp>
#include <warden/adapters/postgres/load.hpp>
#include <warden/adapters/postgres/rows.hpp>
#include <warden/adapters/postgres/schema.hpp>
#include <warden/adapters/postgres/scope_lock.hpp>
#include <warden/adapters/postgres/undo_start.hpp>
