import type { Migration } from './migration.js';

/**
 * kagent's tables, with the same table and column names. Differences: JSON documents are `jsonb`;
 * `event` has a `seq` column giving a total order within a session; `task` and `session` scoping
 * columns carry the user; tool and toolserver rows (a cache of discovery) are deleted outright
 * instead of soft-deleted.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial_schema',
  sql: `
CREATE TABLE agent (
  id          text        PRIMARY KEY CHECK (id <> ''),
  type        text        NOT NULL,
  config      jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);
CREATE INDEX agent_deleted_at_idx ON agent (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE session (
  id          text        NOT NULL CHECK (id <> ''),
  user_id     text        NOT NULL,
  name        text,
  agent_id    text,
  source      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX session_user_created_idx ON session (user_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX session_user_agent_created_idx ON session (user_id, agent_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX session_deleted_at_idx ON session (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE event (
  seq         bigint      GENERATED ALWAYS AS IDENTITY,
  id          text        NOT NULL CHECK (id <> ''),
  user_id     text        NOT NULL,
  session_id  text        NOT NULL,
  data        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (id, user_id),
  FOREIGN KEY (session_id, user_id) REFERENCES session (id, user_id) ON DELETE CASCADE
);
CREATE INDEX event_session_seq_idx ON event (session_id, user_id, seq);
CREATE INDEX event_created_at_idx ON event (created_at);
CREATE INDEX event_deleted_at_idx ON event (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE task (
  id                text        PRIMARY KEY CHECK (id <> ''),
  session_id        text        NOT NULL,
  user_id           text,
  data              jsonb       NOT NULL,
  protocol_version  text        NOT NULL DEFAULT '0.3',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz
);
CREATE INDEX task_session_created_idx ON task (session_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX task_deleted_at_idx ON task (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE push_notification (
  id          text        NOT NULL CHECK (id <> ''),
  task_id     text        NOT NULL,
  data        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (task_id, id)
);
CREATE INDEX push_notification_deleted_at_idx ON push_notification (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE feedback (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id        text        NOT NULL,
  message_id     text,
  is_positive    boolean     NOT NULL DEFAULT false,
  feedback_text  text        NOT NULL,
  issue_type     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_user_created_idx ON feedback (user_id, created_at DESC);

CREATE TABLE toolserver (
  name            text        NOT NULL CHECK (name <> ''),
  group_kind      text        NOT NULL CHECK (group_kind <> ''),
  description     text        NOT NULL DEFAULT '',
  last_connected  timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, group_kind)
);

CREATE TABLE tool (
  id            text        NOT NULL CHECK (id <> ''),
  server_name   text        NOT NULL,
  group_kind    text        NOT NULL,
  description   text        NOT NULL DEFAULT '',
  input_schema  jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, server_name, group_kind),
  FOREIGN KEY (server_name, group_kind) REFERENCES toolserver (name, group_kind) ON DELETE CASCADE
);
CREATE INDEX tool_server_idx ON tool (server_name, group_kind);
`,
};
