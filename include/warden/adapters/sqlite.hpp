#pragma once
// The SQLite applier: load a snapshot from a jobs database and apply a plan in one transaction,
// every row write a compare-and-set whose 0-row result is a conflict, never a success (B7).
// Header-only; the host links libsqlite3 (CMake: warden::sqlite).
#include <warden/adapters/sqlite/apply.hpp>
#include <warden/adapters/sqlite/connection.hpp>
#include <warden/adapters/sqlite/load.hpp>
#include <warden/adapters/sqlite/rows.hpp>
#include <warden/adapters/sqlite/schema.hpp>
#include <warden/adapters/sqlite/undo_start.hpp>
#include <warden/adapters/sqlite/worker_writes.hpp>
