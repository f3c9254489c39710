-- wrk script: every request asks for the script of a machine never seen before, the way a rack
-- of new servers arrives (each request records a machine and issues a boot token: one record in
-- each journal).
--
-- Default: random MACs for as long as wrk runs. Each wrk thread has a Lua state of its own with
-- the same default seed: seed from something unique to the state (its address) and the clock,
-- then use 40 random bits per MAC.
--
-- `-- burst N T DIR`: a burst of exactly N new machines (split over wrk's T threads, MACs
-- numbered from the thread's own prefix so none repeats); a connection with no machine left to
-- ask for asks for /healthz instead, and each thread stops once its last machine is answered and
-- leaves a file in DIR saying so (wrk itself runs for -d: the caller stops it with SIGINT then).
-- done() prints the burst's rate: agent scripts answered / (last answer - first request), by
-- CLOCK_MONOTONIC.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *tp);
]]
local function monotonic()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local threads = {}
local next_id = 0

setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

init = function(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16))
  burst = args[1] == "burst" and tonumber(args[2]) or nil
  if burst then
    quota = math.floor(burst / tonumber(args[3]))
    done_dir = args[4]
  end
  sent, answered, failed, first_sent, last_answer = 0, 0, 0, 0, 0
end

local function random_machine()
  return string.format("52:%02x:%02x:%02x:%02x:%02x", math.random(0, 255), math.random(0, 255),
                       math.random(0, 255), math.random(0, 255), math.random(0, 255))
end

local function numbered_machine(n)
  -- 5a:TT:nn:nn:nn:00: thread TT's n-th machine (locally administered, never a random one's 52:)
  return string.format("5a:%02x:%02x:%02x:%02x:00", id, math.floor(n / 65536) % 256, math.floor(n / 256) % 256,
                       n % 256)
end

request = function()
  if not burst then
    return wrk.format("GET", "/boot/machine.ipxe?mac=" .. random_machine() .. "&platform=efi&buildarch=x86_64")
  end
  if sent < quota then
    if sent == 0 then
      first_sent = monotonic()
    end
    sent = sent + 1
    return wrk.format("GET", "/boot/machine.ipxe?mac=" .. numbered_machine(sent) .. "&platform=efi&buildarch=x86_64")
  end
  return wrk.format("GET", "/healthz")
end

response = function(status, headers, body)
  if not burst then
    return
  end
  if string.find(body, "metalboot.token=", 1, true) then
    answered = answered + 1 -- an agent script: recorded, and given its boot token
  elseif not string.find(body, "ok", 1, true) or status ~= 200 then
    failed = failed + 1 -- anything but an agent script or /healthz's answer
  end
  if answered + failed == quota then
    last_answer = monotonic()
    local marker = io.open(done_dir .. "/burst-done-" .. id, "w")
    marker:close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  if not threads[1] or not threads[1]:get("burst") then
    return
  end
  local answered, failed, first, last = 0, 0, math.huge, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("answered")
    failed = failed + thread:get("failed")
    first = math.min(first, thread:get("first_sent"))
    last = math.max(last, thread:get("last_answer"))
  end
  local seconds = last - first
  io.write(string.format("burst: %d machines answered, %d failed, in %.3f s: %.0f machines/s\n",
                         answered, failed, seconds, answered / seconds))
end
