// runner/state/run_summary_sql.hpp
#pragma once

// The query that rebuilds an integration's run_summary row from its runs.
// Used by migration step 4 to fill the table for existing databases and by
// the store after every run start and end, so both agree by construction.
// Every subquery walks the runs (integration, id) index of one integration.

#include <string_view>

namespace tapline::state {

// Selects run_summary's columns in table order, one row per integration
// whose runs satisfy `r.integration` filters appended by the caller
// (" WHERE ... AND r.id = ...").
inline constexpr std::string_view k_run_summary_select = R"sql(
SELECT r.integration, r.id, r.started_at, unixepoch(r.started_at),
  r.ended_at, unixepoch(r.ended_at), r.outcome, r.exit_code, r.records,
  r.bytes, r.pid,
  ROUND((julianday(r.ended_at) - julianday(r.started_at)) * 86400.0, 3),
  (SELECT unixepoch(s.started_at) FROM runs s
    WHERE s.integration = r.integration AND s.outcome <> 'interrupted'
    ORDER BY s.id DESC LIMIT 1),
  (SELECT s.ended_at FROM runs s
    WHERE s.integration = r.integration
      AND s.outcome IN ('succeeded', 'degraded')
    ORDER BY s.id DESC LIMIT 1),
  (SELECT unixepoch(s.ended_at) FROM runs s
    WHERE s.integration = r.integration
      AND s.outcome IN ('succeeded', 'degraded')
    ORDER BY s.id DESC LIMIT 1),
  (SELECT COUNT(*) FROM runs f
    WHERE f.integration = r.integration AND f.outcome = 'failed'
      AND COALESCE(f.exit_code, 0) <> 77
      AND f.id > COALESCE((SELECT MAX(s.id) FROM runs s
        WHERE s.integration = r.integration
          AND s.outcome IN ('succeeded', 'degraded')), 0)),
  (SELECT COUNT(*) FROM runs t WHERE t.integration = r.integration),
  (SELECT COALESCE(SUM(t.records), 0) FROM runs t
    WHERE t.integration = r.integration),
  (SELECT COALESCE(SUM(t.bytes), 0) FROM runs t
    WHERE t.integration = r.integration)
FROM runs r
)sql";

} // namespace tapline::state
