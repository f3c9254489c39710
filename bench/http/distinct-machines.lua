-- wrk script: every request asks for the script of a machine never seen before, the way a rack
-- of new servers arrives (each request records a machine and issues a boot token: two fsyncs).
-- Each wrk thread has a Lua state of its own with the same default seed: seed from something
-- unique to the state (its address) and the clock, then use 40 random bits per MAC.
init = function(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16))
end
request = function()
  local mac = string.format("52:%02x:%02x:%02x:%02x:%02x", math.random(0, 255), math.random(0, 255),
                            math.random(0, 255), math.random(0, 255), math.random(0, 255))
  return wrk.format("GET", "/boot/machine.ipxe?mac=" .. mac .. "&platform=efi&buildarch=x86_64")
end
