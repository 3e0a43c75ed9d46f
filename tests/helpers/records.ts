/**
 * Records fixtures for integration tests: a small HTTP client that logs in as
 * staff, and an organisation of two districts with one account per role and
 * post, so every test can say "the grid mediator of 和平一网格" by name.
 */
import { idNumberCheckChar } from '../../server/cases/idNumber';
import type { App } from '../../server/app';
import type { CaseView } from '../../server/cases/CaseService';
import type { Committee, District, Grid, Township } from '../../server/org/OrgStore';
import type { StaffPlacement } from '../../server/staff/StaffStore';
import type { StaffRole } from '../../shared/staff';
import type { StaffId } from '../../shared/ids';

export const PASSWORD = 'correct horse battery 1';

/** A reply body as tests read it, field by field; typing every reply would add noise, not safety. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Api {
  token: string | undefined;
  request<T = Json>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  get<T = Json>(path: string): Promise<Reply<T>>;
  post<T = Json>(path: string, body?: unknown): Promise<Reply<T>>;
}

export function apiClient(baseUrl: string, token?: string): Api {
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      redirect: 'manual',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      body: type.includes('json') && text ? JSON.parse(text) : text,
      headers: response.headers,
    };
  };
  return {
    token,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
  };
}

export async function login(baseUrl: string, username: string, password = PASSWORD): Promise<Api> {
  const reply = await apiClient(baseUrl).post('/api/staff/login', { username, password, bearer: true });
  if (reply.status !== 200) throw new Error(`login(${username}): ${reply.status} ${JSON.stringify(reply.body)}`);
  return apiClient(baseUrl, reply.body.token as string);
}

/** A valid resident ID number (correct check character) from 17 digits. */
export const idNumber = (first17: string): string => `${first17}${idNumberCheckChar(first17)}`;

export interface Org {
  east: District;
  west: District;
  /** 东城区 和平街道 (a street) with two grids and a committee. */
  heping: Township;
  /** 东城区 安定镇 (a township) with one grid and a committee. */
  anding: Township;
  /** 西城区 金融街街道. */
  jinrong: Township;
  grids: { heping1: Grid; heping2: Grid; anding1: Grid; jinrong1: Grid };
  committees: {
    heping: Committee;
    anding: Committee;
    jinrong: Committee;
    eastCentre: Committee;
    westCentre: Committee;
  };
}

export type StaffKey =
  | 'gridMediator'
  | 'gridMediator2'
  | 'townshipMediator'
  | 'townshipMediator2'
  | 'centreMediator'
  | 'districtCoordinator'
  | 'townshipCoordinator'
  | 'notary'
  | 'expert'
  | 'admin'
  | 'westGridMediator'
  | 'westTownshipMediator'
  | 'westCentreMediator'
  | 'westCoordinator';

export interface Fixture {
  org: Org;
  staff: Record<StaffKey, { id: StaffId; username: string; role: StaffRole }>;
  /** Logged-in clients, made on first use. */
  as(key: StaffKey): Promise<Api>;
}

export async function createOrg(app: App): Promise<Org> {
  return app.records.records.transaction(async ({ org }) => {
    const east = await org.createDistrict({ code: 'D01', name: '东城区' });
    const west = await org.createDistrict({ code: 'D02', name: '西城区' });
    const heping = await org.createTownship({ districtId: east.id, kind: 'street', name: '和平街道' });
    const anding = await org.createTownship({ districtId: east.id, kind: 'township', name: '安定镇' });
    const jinrong = await org.createTownship({ districtId: west.id, kind: 'street', name: '金融街街道' });
    const grids = {
      heping1: await org.createGrid({ townshipId: heping.id, name: '和平一网格' }),
      heping2: await org.createGrid({ townshipId: heping.id, name: '和平二网格' }),
      anding1: await org.createGrid({ townshipId: anding.id, name: '安定一网格' }),
      jinrong1: await org.createGrid({ townshipId: jinrong.id, name: '金融街一网格' }),
    };
    const committee = (
      level: 'township' | 'district',
      districtId: District['id'],
      townshipId: Township['id'] | null,
      name: string,
    ) => org.createCommittee({ level, districtId, townshipId, name });
    const committees = {
      heping: await committee('township', east.id, heping.id, '和平街道人民调解委员会'),
      anding: await committee('township', east.id, anding.id, '安定镇人民调解委员会'),
      jinrong: await committee('township', west.id, jinrong.id, '金融街街道人民调解委员会'),
      eastCentre: await committee('district', east.id, null, '东城区矛盾纠纷调处中心'),
      westCentre: await committee('district', west.id, null, '西城区矛盾纠纷调处中心'),
    };
    return { east, west, heping, anding, jinrong, grids, committees };
  });
}

export async function createFixture(app: App, baseUrl: string): Promise<Fixture> {
  const org = await createOrg(app);
  const none: StaffPlacement = { gridId: null, committeeId: null, townshipId: null, districtId: null };
  const plan: Record<StaffKey, [StaffRole, string, Partial<StaffPlacement>]> = {
    gridMediator: ['mediator', '和平一网格 李调解', { gridId: org.grids.heping1.id }],
    gridMediator2: ['mediator', '和平二网格 王调解', { gridId: org.grids.heping2.id }],
    townshipMediator: ['mediator', '和平街道 张调解', { committeeId: org.committees.heping.id }],
    townshipMediator2: ['mediator', '和平街道 赵调解', { committeeId: org.committees.heping.id }],
    centreMediator: ['mediator', '东城区中心 陈调解', { committeeId: org.committees.eastCentre.id }],
    districtCoordinator: ['coordinator', '东城区司法局 刘协调', { districtId: org.east.id }],
    townshipCoordinator: ['coordinator', '和平街道 孙协调', { townshipId: org.heping.id }],
    notary: ['notary', '周公证', {}],
    expert: ['expert', '吴专家', {}],
    admin: ['admin', '系统管理员', {}],
    westGridMediator: ['mediator', '金融街一网格 郑调解', { gridId: org.grids.jinrong1.id }],
    westTownshipMediator: ['mediator', '金融街街道 冯调解', { committeeId: org.committees.jinrong.id }],
    westCentreMediator: ['mediator', '西城区中心 何调解', { committeeId: org.committees.westCentre.id }],
    westCoordinator: ['coordinator', '西城区司法局 许协调', { districtId: org.west.id }],
  };
  const entries = await Promise.all(
    (Object.entries(plan) as [StaffKey, [StaffRole, string, Partial<StaffPlacement>]][]).map(
      async ([key, [role, displayName, placement]]) => {
        const username = key.replace(/[A-Z0-9]/g, (c) => `.${c.toLowerCase()}`).slice(0, 40);
        const record = await app.records.staff.create(null, {
          username,
          displayName,
          role,
          password: PASSWORD,
          ...none,
          ...placement,
        });
        return [key, { id: record.id, username, role }] as const;
      },
    ),
  );
  const staff = Object.fromEntries(entries) as Fixture['staff'];
  const clients = new Map<StaffKey, Promise<Api>>();
  const as = (key: StaffKey) => {
    let client = clients.get(key);
    if (!client) clients.set(key, (client = login(baseUrl, staff[key].username)));
    return client;
  };
  return { org, staff, as };
}

/** A neighbours' dispute in a grid, registered over HTTP by `api`. */
export async function registerCase(
  api: Api,
  gridId: string,
  overrides: Record<string, unknown> = {},
): Promise<CaseView> {
  const reply = await api.post('/api/cases', {
    disputeType: 'neighbours',
    gridId,
    summary: '楼上漏水，楼下住户要求赔偿维修费用。',
    parties: [
      { role: 'applicant', name: '王秀英', contact: '13800000001', idNumber: idNumber('11010119500307002') },
      { role: 'respondent', name: '李建国', contact: '13800000002' },
    ],
    ...overrides,
  });
  if (reply.status !== 201) throw new Error(`registerCase: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.case as CaseView;
}
