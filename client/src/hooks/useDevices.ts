/**
 * The microphones and cameras this device has. Their names are only filled in
 * once the page may use them, so the list is read again when a track opens.
 */
import { useEffect, useState } from 'react';

export interface DeviceLists {
  mics: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
}

export function useDevices(refreshKey: unknown): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>({ mics: [], cameras: [] });
  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md?.enumerateDevices) return;
    let live = true;
    const read = () =>
      md.enumerateDevices().then(
        (all) => {
          if (!live) return;
          const usable = all.filter((d) => d.deviceId && d.deviceId !== 'default');
          setLists({
            mics: usable.filter((d) => d.kind === 'audioinput'),
            cameras: usable.filter((d) => d.kind === 'videoinput'),
          });
        },
        () => undefined,
      );
    void read();
    md.addEventListener('devicechange', read);
    return () => {
      live = false;
      md.removeEventListener('devicechange', read);
    };
  }, [refreshKey]);
  return lists;
}
