-- wrk -s benchmarks/wrk/gate.lua http://127.0.0.1:PORT -- <body.json> <bearer token>
-- POST /api/v1/disclosure-requests with the body read from the file and the caller's token: the same request
-- every time, built once per wrk thread.
local req
function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  local headers = {["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json"}
  req = wrk.format("POST", "/api/v1/disclosure-requests", headers, body)
end
function request()
  return req
end
