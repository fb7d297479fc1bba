-- wrk script: each request raises alarm 100.101 on the next of 100,000
-- hosts (host=compute-N), so after the first 100,000 requests every POST
-- overwrites an active alarm, as in stx's BenchmarkRESTPost.
-- Usage: wrk -t2 -c8 -d10s -s scripts/wrk-post.lua http://127.0.0.1:6385 -- TOKEN
local n = 0
local token = ""

function init(args)
  token = args[1] or ""
  n = math.random(0, 99999)
end

function request()
  n = (n + 1) % 100000
  local body = '{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host",' ..
    '"entity_instance_id":"host=compute-' .. n .. '","severity":"major",' ..
    '"reason_text":"Platform CPU threshold exceeded","alarm_type":"operational-violation",' ..
    '"probable_cause":"threshold-crossed","proposed_repair_action":"Reduce the load",' ..
    '"service_affecting":false,"suppression":true}'
  return wrk.format("POST", "/v1/alarms", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status ~= 201 then
    print("status " .. status .. ": " .. body)
    wrk.thread:stop()
  end
end
