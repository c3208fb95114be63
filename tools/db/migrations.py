"""Schema migrations: an ordered list whose index is the version, applied under a lock."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Append only. Never edit a migration that has shipped: add a new one.
MIGRATIONS: list[str] = [
    # 1: core domain
    """
    CREATE TABLE threads (
        thread_id text PRIMARY KEY,
        owner_id text NOT NULL,
        department text NOT NULL,
        title text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'idle'
            CHECK (status IN ('idle', 'interrupted', 'busy')),
        lease_until timestamptz,
        lease_run_id text,
        last_trace_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX threads_owner_idx ON threads (owner_id, updated_at DESC);

    CREATE TABLE thread_messages (
        id bigserial PRIMARY KEY,
        thread_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('user', 'assistant')),
        content text NOT NULL,
        trace_id text,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX thread_messages_thread_idx ON thread_messages (thread_id, id);

    CREATE TABLE tickets (
        ticket_id text PRIMARY KEY CHECK (ticket_id ~ '^TCK-[0-9]{4}-[A-Z0-9]{6}$'),
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL CHECK (category IN
            ('network', 'account', 'hardware', 'software', 'access', 'email', 'other')),
        priority text NOT NULL DEFAULT 'P3' CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN
            ('OPEN', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'CANCELLED')),
        requester_id text NOT NULL,
        department text NOT NULL,
        assignee_id text,
        escalation_level integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tickets_requester_idx ON tickets (requester_id, created_at DESC);
    CREATE INDEX tickets_department_idx ON tickets (department, created_at DESC);

    CREATE TABLE ticket_comments (
        id bigserial PRIMARY KEY,
        ticket_id text NOT NULL REFERENCES tickets (ticket_id),
        author_id text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (ticket_id, id);

    CREATE TABLE ticket_drafts (
        draft_id text PRIMARY KEY CHECK (draft_id ~ '^DRF-[0-9]{4}-[A-Z0-9]{6}$'),
        owner_id text NOT NULL,
        department text NOT NULL,
        thread_id text,
        title text,
        description text,
        category text CHECK (category IN
            ('network', 'account', 'hardware', 'software', 'access', 'email', 'other')),
        priority text CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
        status text NOT NULL DEFAULT 'ACTIVE'
            CHECK (status IN ('ACTIVE', 'CONSUMED', 'DISCARDED', 'EXPIRED')),
        ticket_id text REFERENCES tickets (ticket_id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_drafts_owner_idx ON ticket_drafts (owner_id, updated_at DESC);

    CREATE TABLE pending_actions (
        id text PRIMARY KEY,
        thread_id text NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        actor_department text NOT NULL,
        tool text NOT NULL,
        args jsonb NOT NULL DEFAULT '{}',
        target text,
        confirm_token text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN
            ('PENDING', 'CONFIRMED', 'EXECUTED', 'FAILED', 'CANCELLED', 'EXPIRED', 'SUPERSEDED')),
        expires_at timestamptz NOT NULL,
        outcome jsonb,
        trace_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz
    );
    CREATE INDEX pending_actions_thread_idx ON pending_actions (thread_id, created_at DESC);
    CREATE UNIQUE INDEX pending_actions_token_idx ON pending_actions (confirm_token);

    CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        trace_id text NOT NULL,
        thread_id text,
        actor_id text NOT NULL,
        event_type text NOT NULL,
        target text,
        payload jsonb NOT NULL DEFAULT '{}',
        result text,
        version_set text NOT NULL,
        usage jsonb NOT NULL DEFAULT '{}',
        latency_ms double precision NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_trace_idx ON audit_events (trace_id);
    CREATE INDEX audit_thread_idx ON audit_events (thread_id, id DESC);
    CREATE INDEX audit_target_idx ON audit_events (target, id DESC);
    CREATE INDEX audit_actor_idx ON audit_events (actor_id, id DESC);
    """,
    # 2: idempotency keys and the per-user daily LLM budget
    """
    CREATE TABLE idempotency_keys (
        user_id text NOT NULL,
        action_id text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done')),
        status_code integer,
        body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, action_id)
    );
    CREATE INDEX idempotency_created_idx ON idempotency_keys (created_at);

    CREATE TABLE llm_usage_daily (
        user_id text NOT NULL,
        day date NOT NULL,
        tokens bigint NOT NULL DEFAULT 0,
        cost_usd double precision NOT NULL DEFAULT 0,
        calls integer NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, day)
    );
    """,
    # 3: knowledge base. kb_documents/kb_chunks hold the articles and their keyword index
    # (tsvector of our own tokens: English words + CJK character bigrams, config 'simple').
    # langchain_pg_collection/langchain_pg_embedding are langchain-postgres PGVector's own
    # tables, created here exactly as its ORM declares them so nothing is created at run time;
    # `embedding` has no fixed dimension so any embeddings model fits (one collection each).
    """
    CREATE EXTENSION IF NOT EXISTS vector;

    CREATE TABLE kb_documents (
        doc_id text PRIMARY KEY CHECK (doc_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        body text NOT NULL,
        lang text NOT NULL,
        tags jsonb NOT NULL DEFAULT '[]',
        content_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE kb_chunks (
        chunk_id text PRIMARY KEY,
        doc_id text NOT NULL REFERENCES kb_documents (doc_id) ON DELETE CASCADE,
        ord integer NOT NULL,
        heading text NOT NULL DEFAULT '',
        body text NOT NULL,
        lang text NOT NULL,
        tsv tsvector NOT NULL
    );
    CREATE INDEX kb_chunks_doc_idx ON kb_chunks (doc_id, ord);
    -- fastupdate off: KB writes are rare, and a pending list would slow every search.
    CREATE INDEX kb_chunks_tsv_idx ON kb_chunks USING gin (tsv) WITH (fastupdate = off);

    CREATE TABLE langchain_pg_collection (
        uuid uuid NOT NULL PRIMARY KEY,
        name varchar NOT NULL UNIQUE,
        cmetadata json
    );
    CREATE TABLE langchain_pg_embedding (
        id varchar NOT NULL PRIMARY KEY,
        collection_id uuid REFERENCES langchain_pg_collection (uuid) ON DELETE CASCADE,
        embedding vector,
        document varchar,
        cmetadata jsonb
    );
    CREATE INDEX ix_cmetadata_gin ON langchain_pg_embedding USING gin (cmetadata jsonb_path_ops);
    """,
    # 4: whether a thread's latest checkpoint ended a turn (finalize ran and committed with it).
    # Only then may the next turn continue straight at context_restore (graph.runner).
    """
    ALTER TABLE threads ADD COLUMN settled boolean NOT NULL DEFAULT false;
    """,
    # 5 (#13): leases that lapse with their holder, turn effects a replay can find, per-user
    # rate buckets and daily creation caps, and the indexes retention sweeps by.
    """
    ALTER TABLE idempotency_keys ADD COLUMN lease_until timestamptz;
    -- what the first attempt of this action_id committed (its outcome), written in the same
    -- transaction as its ticket, comment or draft: a replay finishes with it, not again
    ALTER TABLE idempotency_keys ADD COLUMN effect jsonb;

    CREATE TABLE rate_buckets (
        user_id text PRIMARY KEY,
        tokens double precision NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE helpdesk_limits (name text PRIMARY KEY, value integer NOT NULL);

    -- BEFORE INSERT on tickets / ticket_drafts: at most helpdesk_limits[TG_ARGV[0]] rows per
    -- creator (column TG_ARGV[1]) in 24 h. SQLSTATE HD429, DETAIL = seconds until one frees.
    CREATE FUNCTION helpdesk_daily_cap() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        cap integer;
        who text := to_jsonb(NEW) ->> TG_ARGV[1];
        used integer;
        oldest timestamptz;
    BEGIN
        SELECT value INTO cap FROM helpdesk_limits WHERE name = TG_ARGV[0];
        IF cap IS NULL OR cap <= 0 THEN
            RETURN NEW;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_NAME || ':' || who));
        IF TG_TABLE_NAME = 'tickets' THEN
            SELECT count(*), min(created_at) INTO used, oldest FROM tickets
             WHERE requester_id = who AND created_at > now() - interval '1 day';
        ELSE
            SELECT count(*), min(created_at) INTO used, oldest FROM ticket_drafts
             WHERE owner_id = who AND created_at > now() - interval '1 day';
        END IF;
        IF used >= cap THEN
            RAISE EXCEPTION USING ERRCODE = 'HD429',
                  MESSAGE = 'daily cap of ' || cap || ' ' || TG_ARGV[0] || ' reached',
                  DETAIL = ceil(extract(epoch FROM oldest + interval '1 day' - now()))::text;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER tickets_daily_cap BEFORE INSERT ON tickets
        FOR EACH ROW EXECUTE FUNCTION helpdesk_daily_cap('tickets_per_day', 'requester_id');
    CREATE INDEX ticket_drafts_created_idx ON ticket_drafts (owner_id, created_at);
    CREATE TRIGGER drafts_daily_cap BEFORE INSERT ON ticket_drafts
        FOR EACH ROW EXECUTE FUNCTION helpdesk_daily_cap('drafts_per_day', 'owner_id');

    -- the end of a turn commits only while its run still holds the thread (SQLSTATE HD409)
    CREATE FUNCTION helpdesk_hold_lease(tid text, run text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM threads WHERE thread_id = tid AND lease_run_id = run;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'HD409',
                  MESSAGE = 'thread ' || tid || ' is no longer leased to run ' || run;
        END IF;
    END $$;

    CREATE INDEX threads_idle_idx ON threads (updated_at);
    CREATE INDEX audit_created_idx ON audit_events (created_at);
    CREATE INDEX pending_actions_expiry_idx ON pending_actions (expires_at)
        WHERE status = 'PENDING';
    CREATE INDEX ticket_drafts_active_idx ON ticket_drafts (updated_at) WHERE status = 'ACTIVE';
    """,
    # 6: the LangGraph Server protocol (server/protocol): thread metadata, runs, and the events
    # of each run, so a client can rejoin a stream with Last-Event-ID (no Redis).
    """
    ALTER TABLE threads ADD COLUMN lg_metadata jsonb NOT NULL DEFAULT '{}';
    CREATE TABLE protocol_runs (
        run_id text PRIMARY KEY,
        thread_id text NOT NULL,
        owner_id text NOT NULL,
        assistant_id text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        metadata jsonb NOT NULL DEFAULT '{}',
        kwargs jsonb NOT NULL DEFAULT '{}',
        multitask_strategy text NOT NULL DEFAULT 'enqueue',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX protocol_runs_thread_idx ON protocol_runs (thread_id, created_at);
    CREATE TABLE protocol_run_events (
        run_id text NOT NULL REFERENCES protocol_runs (run_id) ON DELETE CASCADE,
        seq integer NOT NULL,
        event text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
    """,
]

_LOCK_KEY = 72_616_001  # any constant: serialises concurrent migrators across processes


async def migrate(engine: AsyncEngine) -> int:
    """Apply every migration not applied yet; returns the schema version now in force."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        await conn.execute(
            text("CREATE TABLE IF NOT EXISTS helpdesk_migrations (v integer PRIMARY KEY, "
                 "applied_at timestamptz NOT NULL DEFAULT now())")
        )
        done = (await conn.execute(text("SELECT coalesce(max(v), 0) FROM helpdesk_migrations"))).scalar_one()
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version <= done:
                continue
            await conn.exec_driver_sql(sql)
            await conn.execute(text("INSERT INTO helpdesk_migrations (v) VALUES (:v)"), {"v": version})
        return len(MIGRATIONS)
