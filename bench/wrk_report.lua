-- wrk script: prints one JSON line with the totals and latency percentiles at the end.
-- The Cookie header is passed with -H on the command line.

done = function(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local function ms(us) return string.format("%.2f", us / 1000) end
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency": {"mean_ms": %s, "p50_ms": %s, "p90_ms": %s, "p99_ms": %s, "max_ms": %s}}\n',
      summary.requests, seconds, summary.requests / seconds,
      e.connect, e.read, e.write, e.status, e.timeout,
      ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)),
      ms(latency:percentile(99)), ms(latency.max)))
end
