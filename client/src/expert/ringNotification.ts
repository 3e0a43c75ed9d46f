/**
 * A system notification for a call that rings while the page is in the
 * background (another tab, the phone's home screen), where the dialog cannot
 * be seen. Permission is asked in the click that puts the expert on call;
 * without it the ring tone and the tab's title still say it.
 */
import type { OfferView } from '../../../shared/experts';

export interface RingText {
  title: string;
  body: string;
}

export class RingNotification {
  #shown: Notification | undefined;

  /** Call from a click: browsers ask for permission only in a user gesture. */
  askPermission(): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().catch(() => undefined);
  }

  show(offer: OfferView, text: RingText): void {
    this.close();
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (document.visibilityState === 'visible') return;
    try {
      const notification = new Notification(text.title, {
        body: text.body,
        tag: offer.offerId,
        requireInteraction: true,
      });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
      this.#shown = notification;
    } catch {
      // Android Chrome allows notifications only from a service worker: the ring tone has to do.
    }
  }

  close(): void {
    this.#shown?.close();
    this.#shown = undefined;
  }
}
