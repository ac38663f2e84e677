-- One batch of bench rows (bench/bench_backup.py): route stops on the seeded routes, a
-- sequence number past the seed's, coordinates inside Vienna.
WITH r AS (SELECT array_agg(tenant_id ORDER BY tenant_id, id) AS tenants,
                  array_agg(id ORDER BY tenant_id, id) AS ids FROM routing.routes)
INSERT INTO routing.route_stops (tenant_id, route_id, seq, address, lat, lon, planned_arrival,
                                 service_minutes)
SELECT r.tenants[1 + mod(g, cardinality(r.ids))], r.ids[1 + mod(g, cardinality(r.ids))], 1000 + g,
       'Benchgasse ' || g || ', 1100 Wien', 48.1 + mod(g, 1000) / 10000.0,
       16.3 + mod(g, 997) / 10000.0,
       timestamptz '2026-01-12 06:00:00+00' + mod(g, 600) * interval '1 minute', 5 + mod(g, 4) * 5
FROM r, generate_series(%(first)s::bigint, %(last)s::bigint) AS g
