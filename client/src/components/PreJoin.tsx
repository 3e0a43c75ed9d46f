/**
 * Before joining: see yourself, hear that the microphone works, choose the
 * devices, say your name, then one big button. Everything is already set to
 * sensible defaults, so a person who only taps "Join" is fine.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useDevices } from '../hooks/useDevices';
import { useMicLevel } from '../hooks/useMicLevel';
import { useStore } from '../hooks/useStore';
import { useI18n, type Translate } from '../i18n';
import { checkName, rememberedName, rememberName, type NameProblem } from '../launch';
import type { DeviceProblem, LocalMedia } from '../rtc/LocalMedia';
import { warmUp } from '../rtc/warmUp';
import type { RoomPermissions } from '../../../shared/roles';
import { CameraIcon, CameraOffIcon, MicIcon, MicOffIcon } from './icons';
import { LanguageToggle } from './LanguageToggle';
import { VideoView } from './VideoView';

export interface JoinChoices {
  name: string;
  micOn: boolean;
  cameraOn: boolean;
}

interface Props {
  local: LocalMedia;
  permissions: RoomPermissions;
  initialName: string | null;
  onJoin(choices: JoinChoices): void;
}

export function PreJoin({ local, permissions, initialName, onJoin }: Props) {
  const { t } = useI18n();
  const media = useStore(local.store);
  const [micOn, setMicOn] = useState(permissions.canPublish);
  const [cameraOn, setCameraOn] = useState(permissions.canPublish);
  const [name, setName] = useState(() => initialName ?? rememberedName());
  const [nameProblem, setNameProblem] = useState<NameProblem | null>(null);
  const meter = useRef<HTMLSpanElement>(null);
  const devices = useDevices(`${media.micTrack?.id}/${media.cameraTrack?.id}`);
  useMicLevel(micOn ? media.micTrack : null, meter);

  useEffect(() => {
    warmUp();
    if (permissions.canPublish) void local.open({ mic: true, camera: true });
  }, [local, permissions.canPublish]);

  const toggleMic = () => {
    setMicOn(!micOn);
    if (micOn) local.close('mic');
    else void local.openMic();
  };
  const toggleCamera = () => {
    setCameraOn(!cameraOn);
    if (cameraOn) local.close('camera');
    else void local.openCamera();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkName(name);
    setNameProblem(problem);
    if (problem) return;
    rememberName(name);
    onJoin({
      name: name.trim(),
      micOn: micOn && Boolean(media.micTrack),
      cameraOn: cameraOn && Boolean(media.cameraTrack),
    });
  };

  return (
    <main className="prejoin">
      <header className="prejoin__header">
        <h1>{t('prejoinTitle')}</h1>
        <LanguageToggle />
      </header>
      <form className="prejoin__form" onSubmit={submit} noValidate>
        {permissions.canPublish ? (
          <section className="prejoin__media">
            <p className="prejoin__intro">{t('prejoinIntro')}</p>
            <div className="preview">
              {cameraOn && media.cameraTrack ? (
                <VideoView track={media.cameraTrack} mirrored />
              ) : (
                <div className="preview__off">
                  <CameraOffIcon />
                  <span>{t('previewCameraOff')}</span>
                </div>
              )}
              {micOn && media.micTrack && (
                <div className="preview__sound">
                  <span className="preview__hint">{t('speakHint')}</span>
                  <div className="meter" role="img" aria-label={t('micLevel')}>
                    <span className="meter__bar" ref={meter} />
                  </div>
                </div>
              )}
            </div>
            <div className="prejoin__toggles">
              <button
                type="button"
                className={`toggle${micOn ? '' : ' toggle--off'}`}
                aria-pressed={micOn}
                onClick={toggleMic}
              >
                {micOn ? <MicIcon /> : <MicOffIcon />}
                {micOn ? t('micOn') : t('micOff')}
              </button>
              <button
                type="button"
                className={`toggle${cameraOn ? '' : ' toggle--off'}`}
                aria-pressed={cameraOn}
                onClick={toggleCamera}
              >
                {cameraOn ? <CameraIcon /> : <CameraOffIcon />}
                {cameraOn ? t('cameraOn') : t('cameraOff')}
              </button>
            </div>
            <Problem t={t} device="mic" problem={micOn ? media.micProblem : null} />
            <Problem t={t} device="camera" problem={cameraOn ? media.cameraProblem : null} />
          </section>
        ) : (
          <p className="notice-inline">{t('watchOnly')}</p>
        )}
        <label className="field">
          <span className="field__label">{t('nameLabel')}</span>
          <input
            className="field__input"
            data-testid="name-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t('namePlaceholder')}
            autoComplete="name"
            enterKeyHint="go"
            maxLength={80}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby="name-hint"
          />
          <span id="name-hint" className={nameProblem ? 'field__error' : 'field__hint'}>
            {nameProblem ? t(nameProblem) : t('nameHint')}
          </span>
        </label>
        <button type="submit" className="button button--primary button--big" data-testid="join-button">
          {t('join')}
        </button>
        {permissions.canPublish && (devices.mics.length > 1 || devices.cameras.length > 1) && (
          <details className="devices">
            <summary>{t('chooseDevices')}</summary>
            <DeviceSelect
              label={t('microphone')}
              t={t}
              devices={devices.mics}
              value={media.micTrack?.getSettings().deviceId ?? media.micDeviceId}
              onChange={(id) => micOn && void local.openMic(id)}
            />
            <DeviceSelect
              label={t('camera')}
              t={t}
              devices={devices.cameras}
              value={media.cameraTrack?.getSettings().deviceId ?? media.cameraDeviceId}
              onChange={(id) => cameraOn && void local.openCamera(id)}
            />
          </details>
        )}
      </form>
    </main>
  );
}

function Problem({ t, device, problem }: { t: Translate; device: 'mic' | 'camera'; problem: DeviceProblem | null }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert">
      {t(`problem_${problem}`, { device: t(`device_${device}`) })}
    </p>
  );
}

interface SelectProps {
  label: string;
  t: Translate;
  devices: MediaDeviceInfo[];
  value: string | null | undefined;
  onChange(deviceId: string): void;
}

function DeviceSelect({ label, t, devices, value, onChange }: SelectProps) {
  if (devices.length < 2) return null;
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <select className="field__input" value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {!value && <option value="">{t('defaultDevice')}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
