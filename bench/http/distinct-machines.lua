-- wrk script: every request asks for the script of a machine never seen before, the way a rack
-- of new servers arrives (each request records a machine and issues a boot token: two fsyncs).
counter = 0
request = function()
  counter = counter + 1
  local mac = string.format("52:54:%02x:%02x:%02x:%02x", math.random(0, 255), (counter >> 16) & 255,
                            (counter >> 8) & 255, counter & 255)
  return wrk.format("GET", "/boot/machine.ipxe?mac=" .. mac .. "&platform=efi&buildarch=x86_64")
end
response = function(status, headers, body)
  if status ~= 200 then
    wrk.thread:set("bad", (wrk.thread:get("bad") or 0) + 1)
  end
end
