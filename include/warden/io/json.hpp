#pragma once
// The JSON documents of docs/formats.md: a snapshot document (snapshot + config) in, a plan out.
// Needs nlohmann_json (CMake target warden::json); warden::warden itself never does.
#include <warden/io/json/parse.hpp>
#include <warden/io/json/read_snapshot.hpp>
#include <warden/io/json/write_plan.hpp>
#include <warden/io/json/write_snapshot.hpp>
#include <warden/io/json/write_values.hpp>
