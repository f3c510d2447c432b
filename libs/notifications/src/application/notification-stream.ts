import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { Principal } from '@careid/identity';
import { PgListener } from '@careid/shared';
import { Notification } from '../domain/notification';
import { NOTIFICATION_CHANNEL, NotificationsService } from './notifications.service';

type Subscriber = { actor: Principal; send: (notification: Notification) => void; end: () => void };

/**
 * Live notifications for Server-Sent Events. Every instance LISTENs on the
 * channel the creating transaction NOTIFYs, so a stream opened on one
 * instance hears notifications created through any other.
 */
@Injectable()
export class NotificationStream implements OnModuleInit, BeforeApplicationShutdown {
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly listener: PgListener,
    private readonly notifications: NotificationsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listener.subscribe(NOTIFICATION_CHANNEL, (payload) => void this.dispatch(payload));
  }

  /** Streams never end on their own: close them so that the server can stop. */
  beforeApplicationShutdown(): void {
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  subscribe(actor: Principal, send: (notification: Notification) => void, end: () => void): () => void {
    const subscriber = { actor, send, end };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private async dispatch(payload: string): Promise<void> {
    let message: { id: string; recipient: string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    const interested = [...this.subscribers].filter((s) => this.notifications.mayHandle({ recipient: message.recipient }, s.actor));
    if (!interested.length) return;
    const notification = await this.notifications.get(message.id, interested[0].actor).catch(() => null);
    if (!notification) return;
    for (const subscriber of interested) subscriber.send(notification);
  }
}
