import { Injectable } from '@nestjs/common';
import { decodeCursor, NEXT_REV_SQL, Page, toPage, TransactionHost } from '@careid/shared';
import type { Application, ApplicationScope, ApplicationType } from '../domain/application';

/** What a write sets besides the server-managed columns. */
export interface ApplicationColumns {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedScopes: ApplicationScope[];
}

function toApplication(row: Record<string, any>): Application {
  return {
    id: row.id,
    rev: row.rev,
    clientId: row.client_id,
    name: row.name,
    type: row.type,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    allowedScopes: row.allowed_scopes,
    created: Number(row.created),
    modified: Number(row.modified),
  };
}

const PUBLIC_COLUMNS = 'id, rev, client_id, name, type, redirect_uris, post_logout_redirect_uris, allowed_scopes, created, modified';

@Injectable()
export class ApplicationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(
    row: { id: string; rev: string; clientId: string; type: ApplicationType; sealedSecret: string | null; now: number },
    columns: ApplicationColumns,
  ): Promise<Application> {
    const rows = await this.tx.query(
      `INSERT INTO applications (id, rev, client_id, type, client_secret, created, modified, name, redirect_uris, post_logout_redirect_uris, allowed_scopes)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10) RETURNING ${PUBLIC_COLUMNS}`,
      [
        row.id,
        row.rev,
        row.clientId,
        row.type,
        row.sealedSecret,
        row.now,
        columns.name,
        columns.redirectUris,
        columns.postLogoutRedirectUris,
        columns.allowedScopes,
      ],
    );
    return toApplication(rows[0]);
  }

  async findById(id: string): Promise<Application | null> {
    const rows = await this.tx.query(`SELECT ${PUBLIC_COLUMNS} FROM applications WHERE id = $1`, [id]);
    return rows.length ? toApplication(rows[0]) : null;
  }

  /** The application and its sealed secret (null for a public one), for whoever checks a client's credentials. */
  async findByClientId(clientId: string): Promise<{ application: Application; sealedSecret: string | null } | null> {
    const rows = await this.tx.query(`SELECT ${PUBLIC_COLUMNS}, client_secret FROM applications WHERE client_id = $1`, [clientId]);
    return rows.length ? { application: toApplication(rows[0]), sealedSecret: rows[0].client_secret } : null;
  }

  /** Writes the columns only if the application is still at `expectedRev`; null when it is not (or is gone). */
  async replaceIfRev(id: string, expectedRev: string, now: number, columns: ApplicationColumns): Promise<Application | null> {
    const [rows] = await this.tx.query(
      `UPDATE applications SET name = $3, redirect_uris = $4, post_logout_redirect_uris = $5, allowed_scopes = $6,
              modified = $7, rev = ${NEXT_REV_SQL}
       WHERE id = $1 AND rev = $2 RETURNING ${PUBLIC_COLUMNS}`,
      [id, expectedRev, columns.name, columns.redirectUris, columns.postLogoutRedirectUris, columns.allowedScopes, now],
    );
    return rows.length ? toApplication(rows[0]) : null;
  }

  async replaceSecret(id: string, sealedSecret: string, now: number): Promise<Application | null> {
    const [rows] = await this.tx.query(
      `UPDATE applications SET client_secret = $2, modified = $3, rev = ${NEXT_REV_SQL}
       WHERE id = $1 AND type = 'confidential' RETURNING ${PUBLIC_COLUMNS}`,
      [id, sealedSecret, now],
    );
    return rows.length ? toApplication(rows[0]) : null;
  }

  async delete(id: string): Promise<{ id: string; rev: string } | null> {
    const [rows] = await this.tx.query(`DELETE FROM applications WHERE id = $1 RETURNING id, rev`, [id]);
    return rows.length ? { id: rows[0].id, rev: rows[0].rev } : null;
  }

  /** Every application by name then id (keyset). */
  async list(limit: number, cursor?: string): Promise<Page<Application>> {
    const [afterName, afterId] = (decodeCursor(cursor, ['string', 'string']) ?? []) as string[];
    const rows = await this.tx.query(
      afterId === undefined
        ? `SELECT ${PUBLIC_COLUMNS} FROM applications ORDER BY name, id LIMIT $1`
        : `SELECT ${PUBLIC_COLUMNS} FROM applications WHERE (name, id) > ($2, $3::uuid) ORDER BY name, id LIMIT $1`,
      afterId === undefined ? [limit + 1] : [limit + 1, afterName, afterId],
    );
    return toPage(rows.map(toApplication), limit, (application) => [application.name, application.id]);
  }
}
