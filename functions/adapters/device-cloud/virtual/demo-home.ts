import type { Device } from '../../../domain/protocol/device.ts';
import { crypto } from '../../../runtime/builtins.ts';

const { createHash } = crypto;

const HOME = '我的家';

/**
 * The home every new user of the virtual cloud starts with: one device of each kind the protocol
 * exercises most. Device ids carry a digest of the user id because Homebase expects a vendor's
 * device ids to be unique across all of its users.
 */
export function demoHome(vendorUserId: string): Device[] {
  const tag = createHash('sha256').update(vendorUserId).digest('hex').slice(0, 10);
  const id = (name: string) => `vd-${tag}-${name}`;
  return [
    {
      deviceId: id('white-light'),
      name: '吸顶灯',
      type: 'light',
      roomName: '客厅',
      homeName: HOME,
      actions: {
        switch: ['on', 'off'],
        brightness: ['up', 'down', 'max', 'min', 'num'],
        color_temperature: ['up', 'down', 'max', 'min', 'num'],
      },
      state: { switch: 'off', brightness: 80, color_temperature: 50 },
    },
    {
      deviceId: id('rgb-light'),
      name: '彩灯',
      type: 'light',
      roomName: '卧室',
      homeName: HOME,
      actions: { switch: ['on', 'off'], color: ['random', 'num'] },
      state: { switch: 'off', color: 0xffffff },
    },
    {
      deviceId: id('curtain'),
      name: '窗帘',
      type: 'curtain',
      roomName: '客厅',
      homeName: HOME,
      actions: { switch: ['on', 'off', 'stop'], position: ['up', 'down', 'num'] },
      state: { switch: 'off', position: 0 },
    },
    {
      deviceId: id('ac'),
      name: '空调',
      type: 'ac',
      roomName: '卧室',
      homeName: HOME,
      actions: {
        switch: ['on', 'off'],
        mode: ['auto', 'cool', 'heat', 'dry', 'fan'],
        temperature: ['up', 'down', 'max', 'min', 'num'],
        fanspeed: ['up', 'down', 'max', 'min', 'switch', 'num'],
        swing_mode: ['auto', 'on', 'off'],
      },
      state: { switch: 'off', mode: 'cool', temperature: 26, fanspeed: 50, swing_mode: 'off' },
    },
    {
      deviceId: id('tv'),
      name: '电视',
      type: 'tv',
      roomName: '客厅',
      homeName: HOME,
      actions: {
        switch: ['on', 'off'],
        volume: ['up', 'down', 'max', 'min', 'num'],
        channel: ['next', 'prev', 'random', 'num'],
      },
      state: { switch: 'off', volume: 30, channel: 1 },
    },
    {
      deviceId: id('scene-home'),
      name: '回家模式',
      type: 'scene',
      homeName: HOME,
      actions: { switch: ['on'] },
      state: {},
    },
  ];
}
