/**
 * An expert's history of offers, read from the offer log (008_experts.sql):
 * every call they were rung for, newest first, with how it ended. Read-only;
 * SqlOfferLog is the only writer. Like the ring, a row names no party.
 */
import type { OfferHistoryEntry, OfferAnswerView } from '../../shared/expertViews';
import type { DisputeType, Level } from '../../shared/cases';
import type { CaseId, ExpertId, OfferId } from '../../shared/ids';
import type { Queryable } from '../db/Db';

interface Row {
  offerId: OfferId;
  caseId: CaseId;
  caseNo: string;
  disputeType: DisputeType;
  gridName: string;
  townshipName: string;
  requestedByName: string;
  nearness: Level;
  offeredAt: Date | string;
  answer: OfferAnswerView;
  answeredAt: Date | string | null;
}

const iso = (value: Date | string) => new Date(value).toISOString();

export async function offerHistory(q: Queryable, expertId: ExpertId, limit: number): Promise<OfferHistoryEntry[]> {
  const rows = await q.query<Row>(
    `select o.id as "offerId", r.case_id as "caseId", c.case_no as "caseNo", c.dispute_type as "disputeType",
            g.name as "gridName", t.name as "townshipName", s.display_name as "requestedByName",
            o.nearness, o.offered_at as "offeredAt", o.answer, o.answered_at as "answeredAt"
     from expert_offers o
     join expert_requests r on r.id = o.request_id
     join cases c on c.id = r.case_id
     join grids g on g.id = c.grid_id
     join townships t on t.id = c.township_id
     join staff s on s.id = r.requested_by
     where o.expert_id = $1
     order by o.offered_at desc, o.id
     limit $2`,
    [expertId, limit],
  );
  return rows.map((row) => ({
    ...row,
    offeredAt: iso(row.offeredAt),
    answeredAt: row.answeredAt === null ? null : iso(row.answeredAt),
  }));
}
