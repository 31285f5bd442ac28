-- Who writes, checked first by every script that can create a key of a user, in the same
-- atomic step as the write: once a session ended (logout, 회원 탈퇴, Naver's unlink) nothing in
-- flight writes for it. K.guard is the session (mode 's': it must still name the user,
-- A.guardValue), or the user's end-of-sessions mark (mode 'l', a session minted before sessions
-- moved into the user's slot: refused when the account was erased at or after A.guardValue, its
-- issue time in ms), or any key of the user (mode '': a tool of ours, no session).
if A.guardMode == 's' then
  if redis.call('GET', K.guard) ~= A.guardValue then return {'nosession'} end
elseif A.guardMode == 'l' then
  local ended = redis.call('GET', K.guard)
  if ended and tonumber(ended) >= tonumber(A.guardValue) then return {'nosession'} end
end
