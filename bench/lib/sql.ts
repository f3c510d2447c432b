/**
 * The statement UsersRepository reads users with (libs/identity/src/infrastructure/users.repository.ts, SELECT_USER):
 * the bare baseline runs it and the by-email scenario EXPLAINs it. Keep it in step with the repository.
 */
export const SELECT_USER = `
  SELECT u.*, COALESCE((
    SELECT jsonb_object_agg(t.key, jsonb_build_object('creationTime', t.created, 'validity', (t.expires_at - t.created) / 1000))
    FROM user_tokens t WHERE t.user_id = u.id AND t.expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
  ), '{}'::jsonb) AS authentication_tokens
  FROM users u`;
