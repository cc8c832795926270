#pragma once
// Parsing a JSON document into a DOM within bounds (size, depth), every syntax error, duplicate
// key or depth error naming the JSON path it happened at.
#include <warden/core/plan.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {
inline namespace v0 {

// Bounds on what a document may cost before any field is read: a hostile or broken producer
// must get an error, never a stack overflow or an out-of-memory kill.
struct json_limits {
    std::size_t max_bytes = std::size_t{256} << 20;
    std::size_t max_depth = 64;
    std::size_t max_warnings = 100; // the count of further warnings is still reported
};

namespace detail {

using json = nlohmann::ordered_json;

// Where a value sits, kept as two views so that the path string is only built for an error:
// a 100k-job document has millions of fields and almost never an error.
struct json_where {
    std::string_view parent;
    std::string_view key;

    [[nodiscard]] std::string str() const {
        if (parent.empty()) return std::string{key};
        return fmt::format("{}.{}", parent, key);
    }
};

[[nodiscard]] inline std::string_view json_type_name(const json& v) noexcept {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::binary:
    case json::value_t::discarded: break;
    }
    return "an unsupported value";
}

// Builds the DOM through nlohmann's SAX interface so that the parse can stop at a depth limit
// and every syntax error, duplicate key or depth error can name the JSON path it happened at.
class bounded_dom_builder {
  public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    bounded_dom_builder(json& root, std::size_t max_depth, std::vector<validation_error>& errors)
        : root_(root)
        , max_depth_(max_depth)
        , errors_(errors) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }
    bool number_integer(number_integer_t v) { return put(json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(json(v)); }
    bool number_float(number_float_t v, const string_t&) { return put(json(v)); }
    bool string(string_t& v) { return put(json(std::move(v))); }
    bool binary(binary_t&) { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(string_t& k) {
        frame& f = frames_.back();
        f.key = std::move(k);
        if (f.value->contains(f.key)) return fail("duplicate key");
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& e) {
        std::string_view what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ..."
        if (const auto colon = what.find(": "); colon != std::string_view::npos)
            what.remove_prefix(colon + 2);
        return fail(fmt::format("invalid JSON at byte {}: {}", position, what));
    }

  private:
    struct frame {
        json* value;
        std::string key;   // objects: the key being read
        std::size_t index; // arrays: the index being read
    };

    [[nodiscard]] std::string path() const {
        std::string out;
        for (const frame& f : frames_) {
            if (f.value->is_array())
                out += fmt::format("[{}]", f.index);
            else if (!f.key.empty())
                out += out.empty() ? f.key : "." + f.key;
        }
        if (out.empty() || out.front() == '[') out.insert(0, "$");
        return out;
    }
    bool fail(std::string message) {
        errors_.push_back(validation_error{std::nullopt, path(), std::move(message)});
        return false;
    }
    json* slot(json v) {
        if (frames_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        frame& f = frames_.back();
        if (f.value->is_array()) {
            f.value->push_back(std::move(v));
            ++f.index;
            return &f.value->back();
        }
        json& child = (*f.value)[f.key];
        child = std::move(v);
        return &child;
    }
    // Once a value is complete its key no longer names where the parser is.
    void done() {
        if (!frames_.empty() && frames_.back().value->is_object()) frames_.back().key.clear();
    }
    bool put(json v) {
        slot(std::move(v));
        done();
        return true;
    }
    bool open(json container) {
        if (frames_.size() >= max_depth_)
            return fail(fmt::format("nested deeper than {} levels", max_depth_));
        json* at = slot(std::move(container));
        // The index was advanced for the container itself; its own elements count from zero,
        // and the parent's index must still name this container while it is being read.
        if (!frames_.empty() && frames_.back().value->is_array()) --frames_.back().index;
        frames_.push_back(frame{at, {}, 0});
        return true;
    }
    bool close() {
        frames_.pop_back();
        if (!frames_.empty() && frames_.back().value->is_array()) ++frames_.back().index;
        done();
        return true;
    }

    json& root_;
    std::size_t max_depth_;
    std::vector<validation_error>& errors_;
    std::vector<frame> frames_;
};

} // namespace detail

} // namespace v0
} // namespace warden
