/**
 * Where the tiles go. Without a shared screen, a grid sized so every face is as
 * large as the space allows; with one, the screen large and the faces in a strip.
 */
import { useState } from 'react';
import { useGridLayout } from '../hooks/useGridLayout';
import { ScreenTile, Tile, type TileProps } from './Tile';

export interface ScreenShare {
  key: string;
  name: string;
  track: MediaStreamTrack;
}

export function Stage({ tiles, screens }: { tiles: TileProps[]; screens: ScreenShare[] }) {
  const [grid, setGrid] = useState<HTMLDivElement | null>(null);
  const { cols, rows } = useGridLayout(grid, tiles.length);
  const [screen] = screens;

  if (screen) {
    return (
      <div className="stage stage--screen">
        <div className="stage__main">
          <ScreenTile name={screen.name} track={screen.track} />
        </div>
        <div className="stage__strip">
          {tiles.map((tile) => (
            <Tile key={tile.peerId || 'self'} {...tile} />
          ))}
        </div>
      </div>
    );
  }

  // Two people (the usual call with the mediator): the other one full size and
  // ourselves small in a corner, as in a WeChat video call.
  const [other, self] = tiles;
  if (tiles.length === 2 && other && self?.isSelf) {
    return (
      <div className="stage stage--duo">
        <Tile key={other.peerId} {...other} />
        <div className="stage__pip">
          <Tile key="self" {...self} compact />
        </div>
      </div>
    );
  }

  return (
    <div
      className="stage stage--grid"
      ref={setGrid}
      style={{
        gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
        gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))`,
      }}
    >
      {tiles.map((tile) => (
        <Tile key={tile.peerId || 'self'} {...tile} />
      ))}
    </div>
  );
}
