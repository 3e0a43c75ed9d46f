/**
 * The buttons at the bottom: big, labelled in words, and showing the current
 * state the way WeChat video calls do ("Mic is on"), which is what most of our
 * users already know.
 */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { CameraIcon, CameraOffIcon, LeaveIcon, MicIcon, MicOffIcon, PeopleIcon, ScreenIcon } from './icons';

interface Props {
  micOn: boolean;
  cameraOn: boolean;
  sharingScreen: boolean;
  canPublish: boolean;
  canShareScreen: boolean;
  /** Mediators: opens the list of participants (a side panel on wide screens is always open). */
  participants: { waiting: number; onClick(): void } | null;
  onMic(): void;
  onCamera(): void;
  onScreen(): void;
  onLeave(): void;
}

export function ControlBar(props: Props) {
  const { t } = useI18n();
  return (
    <nav className="controls" aria-label={t('title')}>
      {props.canPublish && (
        <ControlButton
          testId="toggle-mic"
          on={props.micOn}
          icon={props.micOn ? <MicIcon /> : <MicOffIcon />}
          text={props.micOn ? t('micOn') : t('micOff')}
          label={props.micOn ? t('turnMicOff') : t('turnMicOn')}
          onClick={props.onMic}
        />
      )}
      {props.canPublish && (
        <ControlButton
          testId="toggle-camera"
          on={props.cameraOn}
          icon={props.cameraOn ? <CameraIcon /> : <CameraOffIcon />}
          text={props.cameraOn ? t('cameraOn') : t('cameraOff')}
          label={props.cameraOn ? t('turnCameraOff') : t('turnCameraOn')}
          onClick={props.onCamera}
        />
      )}
      {props.canShareScreen && (
        <ControlButton
          testId="toggle-screen"
          on
          active={props.sharingScreen}
          icon={<ScreenIcon />}
          text={props.sharingScreen ? t('stopSharing') : t('shareScreen')}
          label={props.sharingScreen ? t('stopSharing') : t('shareScreen')}
          onClick={props.onScreen}
        />
      )}
      {props.participants && (
        <button type="button" className="control control--participants" onClick={props.participants.onClick}>
          <PeopleIcon />
          <span className="control__text">{t('participants')}</span>
          {props.participants.waiting > 0 && <span className="control__badge">{props.participants.waiting}</span>}
        </button>
      )}
      <button type="button" className="control control--leave" data-testid="leave-button" onClick={props.onLeave}>
        <LeaveIcon />
        <span className="control__text">{t('leave')}</span>
        <span className="visually-hidden">{t('leaveLabel')}</span>
      </button>
    </nav>
  );
}

interface ButtonProps {
  testId: string;
  /** Off is shown in red: a muted microphone must be impossible to miss. */
  on: boolean;
  active?: boolean;
  icon: ReactNode;
  text: string;
  label: string;
  onClick(): void;
}

function ControlButton({ testId, on, active = false, icon, text, label, onClick }: ButtonProps) {
  const className = `control${on ? '' : ' control--off'}${active ? ' control--active' : ''}`;
  return (
    // The visible words say the state; the tooltip says what a tap will do.
    <button
      type="button"
      className={className}
      data-testid={testId}
      aria-pressed={active || undefined}
      title={label}
      onClick={onClick}
    >
      {icon}
      <span className="control__text">{text}</span>
    </button>
  );
}
