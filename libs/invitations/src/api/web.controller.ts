import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@careid/identity';
import { renderTemplate } from '../application/templates';
import { invitationsError } from '../domain/invitations.errors';

const WEB_DIR = join(__dirname, '..', 'web');
const read = (file: string) => readFileSync(join(WEB_DIR, file), 'utf8');

// Strict: only this origin's own script and stylesheet, no inline code, nothing framed, nothing sent elsewhere.
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const ASSETS: Record<string, string> = {
  'set-password.js': 'text/javascript; charset=utf-8',
  'set-password.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The static set-password pages (invitation acceptance, password reset). */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  private readonly page = read('set-password.html');
  private readonly assets = new Map(Object.keys(ASSETS).map((file) => [file, read(file)]));

  @Get('invitations/accept')
  acceptPage(@Res() reply: FastifyReply): void {
    this.sendPage(reply, 'invitation', 'Accept your invitation');
  }

  @Get('password-reset')
  resetPage(@Res() reply: FastifyReply): void {
    this.sendPage(reply, 'password-reset', 'Choose a new password');
  }

  @Get('invitations/assets/:file')
  @Header('cache-control', 'public, max-age=300')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const body = this.assets.get(file);
    if (!body) throw invitationsError('NOT_FOUND');
    void reply.type(ASSETS[file]).send(body);
  }

  private sendPage(reply: FastifyReply, mode: string, title: string): void {
    void reply
      .header('content-security-policy', PAGE_POLICY)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderTemplate(this.page, { mode, title }, true));
  }
}
