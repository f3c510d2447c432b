import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';

/** A fact one context states and others may react to. Each event class has a static `eventName`. */
export abstract class DomainEvent {
  readonly occurredAt = Date.now();
  abstract readonly eventName: string;
}

/**
 * Publishes domain events to in-process handlers and waits for them, so a
 * handler's writes join the publisher's ambient transaction and a failing
 * handler rolls the whole use case back.
 */
@Injectable()
export class DomainEvents {
  constructor(private readonly emitter: EventEmitter2) {}

  /** Runs the handlers one after the other: they share the publisher's transaction (one connection, one statement at a time). */
  async publish(event: DomainEvent): Promise<void> {
    for (const listener of this.emitter.listeners(event.eventName)) {
      await (listener as (event: DomainEvent) => unknown)(event);
    }
  }
}

/** Marks a method as the handler of one domain event; errors propagate to the publisher. */
export function OnDomainEvent(event: { eventName: string }): MethodDecorator {
  return OnEvent(event.eventName, { suppressErrors: false, promisify: true });
}
