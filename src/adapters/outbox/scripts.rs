//! The outbox's Lua scripts: each runs atomically on the server, so two
//! instances never both claim one item within a lease. Item hashes are named
//! from ARGV (`{prefix}outbox:item:` + id) since claims find ids in the due set.
//!
//! Run by SHA (`EVALSHA`), falling back to `EVAL` after a server restart or
//! `SCRIPT FLUSH`; hashed here with `sha1` to avoid the `redis` crate's `script` feature.

use redis::aio::ConnectionManager;
use redis::{FromRedisValue, RedisResult, ToRedisArgs};
use sha1::{Digest, Sha1};

/// A script with its SHA1.
pub struct Lua {
    source: &'static str,
    sha: String,
}

impl Lua {
    pub fn new(source: &'static str) -> Self {
        Self {
            source,
            sha: hex::encode(Sha1::digest(source.as_bytes())),
        }
    }

    /// Starts a call with these keys.
    pub fn keys<K: ToRedisArgs>(&self, keys: &[K]) -> LuaCall<'_> {
        LuaCall {
            script: self,
            keys: keys.iter().flat_map(ToRedisArgs::to_redis_args).collect(),
            args: Vec::new(),
        }
    }
}

/// One invocation: keys and arguments, ready to run.
pub struct LuaCall<'a> {
    script: &'a Lua,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
}

impl LuaCall<'_> {
    pub fn arg<A: ToRedisArgs>(mut self, arg: A) -> Self {
        self.args.extend(arg.to_redis_args());
        self
    }

    pub async fn run<T: FromRedisValue>(self, mut conn: ConnectionManager) -> RedisResult<T> {
        let by_sha = self.cmd("EVALSHA", &self.script.sha);
        match by_sha.query_async(&mut conn).await {
            Err(e) if e.code() == Some("NOSCRIPT") => {
                self.cmd("EVAL", self.script.source)
                    .query_async(&mut conn)
                    .await
            }
            other => other,
        }
    }

    fn cmd(&self, name: &str, script: &str) -> redis::Cmd {
        let mut cmd = redis::cmd(name);
        cmd.arg(script).arg(self.keys.len());
        for k in &self.keys {
            cmd.arg(k.as_slice());
        }
        for a in &self.args {
            cmd.arg(a.as_slice());
        }
        cmd
    }
}

/// KEYS: due, item, done, dead. ARGV: id, max_pending, now_ms, client_id, bid,
/// payload, received_at. Returns `enqueued`, `duplicate` or `full`.
pub const ENQUEUE: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  return 'duplicate'
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 'full'
end
redis.call('HSET', KEYS[2], 'state', 'pending', 'client_id', ARGV[4], 'bid', ARGV[5],
  'payload', ARGV[6], 'received_at', ARGV[7], 'attempts', 0, 'due', ARGV[3],
  'claimed_until', 0)
-- A dead letter whose hash expired may still be listed: forget it.
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 'enqueued'
";

/// KEYS: due. ARGV: item key prefix, now_ms, lease_end_ms, max. Leases up to
/// `max` due items (oldest first) and returns their hashes as they were before
/// the lease, each with its `id`. The due score moves to the lease end, so an
/// item whose worker died comes due again then.
pub const CLAIM: &str = r"
local now, max = tonumber(ARGV[2]), tonumber(ARGV[4])
local out, skipped = {}, 0
while #out < max do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', skipped, max - #out)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local key = ARGV[1] .. id
    local f = redis.call('HMGET', key, 'state', 'claimed_until')
    if f[1] ~= 'pending' then
      redis.call('ZREM', KEYS[1], id)
    elseif tonumber(f[2] or 0) > now then
      skipped = skipped + 1
    else
      local h = redis.call('HGETALL', key)
      h[#h + 1] = 'id'
      h[#h + 1] = id
      out[#out + 1] = h
      redis.call('HSET', key, 'claimed_until', ARGV[3], 'due', ARGV[3])
      redis.call('ZADD', KEYS[1], ARGV[3], id)
    end
  end
end
return out
";

/// KEYS: due, item, done. ARGV: id, retention_ms.
pub const ACK: &str = r"
if redis.call('HGET', KEYS[2], 'state') == 'pending' then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return 1
";

/// KEYS: due, item. ARGV: id, next_ms, last_status. 0 when not pending.
pub const RETRY: &str = r"
if redis.call('HGET', KEYS[2], 'state') ~= 'pending' then return 0 end
redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'last_status', ARGV[3], 'due', ARGV[2], 'claimed_until', 0)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
";

/// KEYS: due, item, dead. ARGV: id, last_status, now_ms, retention_ms.
/// 0 when not pending. The hash is kept `retention`, then expires.
pub const DEAD_LETTER: &str = r"
if redis.call('HGET', KEYS[2], 'state') ~= 'pending' then return 0 end
redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'state', 'dead', 'last_status', ARGV[2], 'dead_at', ARGV[3],
  'claimed_until', 0)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
";

/// KEYS: due, dead. ARGV: item key prefix, now_ms, then ids. Makes those dead
/// letters pending again (attempts reset, due now); ids that are no longer dead
/// letters leave the dead set. Returns how many were re-driven.
pub const REQUEUE: &str = r"
local n = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'state') == 'dead' then
    redis.call('PERSIST', key)
    redis.call('HSET', key, 'state', 'pending', 'attempts', 0, 'due', ARGV[2], 'claimed_until', 0)
    redis.call('HDEL', key, 'dead_at')
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    n = n + 1
  end
  redis.call('ZREM', KEYS[2], id)
end
return n
";

/// KEYS: due, dead. ARGV: item key prefix. Drops dead-set members whose hash
/// expired, oldest first (retention is one setting, so they expire in order),
/// then returns {pending, dead}.
pub const COUNTS: &str = r"
while true do
  local ids = redis.call('ZRANGE', KEYS[2], 0, 99)
  local live = false
  for _, id in ipairs(ids) do
    if redis.call('EXISTS', ARGV[1] .. id) == 1 then live = true break end
    redis.call('ZREM', KEYS[2], id)
  end
  if live or #ids < 100 then break end
end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}
";
