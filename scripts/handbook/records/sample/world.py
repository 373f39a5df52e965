"""What happens at one simulated 管理处, form by form (used by sample.py)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..statistics.compute import window
from .events import Event

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
D = dt.timedelta(days=1)
LAST_MONTH_END = None   # set per simulation: nothing is closed after the last hand-in date


def _in_month(rng: random.Random, month: str, hours=(8, 20)) -> dt.datetime:
    start, end = window(month)
    day = start + D * rng.randrange((end - start).days)
    return day + H * rng.randrange(*hours) + M * rng.randrange(0, 60, 5)


def _pick(rng: random.Random, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _minutes(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


def _outcome(rng, start, due, late_share=0.07, open_share=0.03) -> dt.datetime:
    """Completion: mostly before the 规定完成时间, some late, a few left open for weeks."""
    span = max((due - start).total_seconds() / 60, 30)
    r = rng.random()
    if r < open_share:
        return _minutes(due + D * rng.randint(5, 25))
    if r < open_share + late_share:
        return _minutes(due + M * rng.randint(30, 60 * 48))
    return _minutes(start + M * rng.randint(20, int(span) - 5))


class World:
    def __init__(self, site, months, rng, fake, handbook):
        self.site, self.months, self.rng, self.fake, self.handbook = site, months, rng, fake, handbook
        self.events = []
        self._home_repairs = []
        self.Event = Event
        self.horizon = window(months[-1])[1] + dt.timedelta(days=2, hours=12)

    def room(self) -> str:
        return self.rng.choice(self.site.rooms)

    def add(self, form, start, row, end=None, known=None, carry=True, period=None):
        e = self.Event(form, start, row, end, known or {}, carry, period)
        self.events.append(e)
        return e

    def volume(self, base: int, month: str) -> int:
        season = 1.25 if month[5:] in ("07", "08", "12", "01") else 1.0
        return max(0, int(round(self.rng.gauss(base * season, base * 0.15))))

    # ------------------------------------------------------------ complaints and callbacks
    def complaints(self, month):
        rng = self.rng
        for _ in range(self.volume(18, month)):
            start = _in_month(rng, month)
            self.complaint(start, None)

    def complaint(self, start, reopened_from):
        rng, fake = self.rng, self.fake
        valid = rng.random() < 0.9
        agreed = approver = None
        due = start + 24 * H
        if rng.random() < 0.06:
            agreed = _minutes(start + D * rng.randint(2, 5))
            approver, due = "周主管", agreed
        cancelled = rng.random() < 0.02
        done = _outcome(rng, start, due)
        room = reopened_from.row["room"] if reopened_from else self.room()
        row = {
            "no": None if reopened_from is None else "reopened", "received_at": start,
            "channel": _pick(rng, {"来电": 50, "来访": 25, "微信": 15, "信函": 3, "意见箱": 4, "上级转办": 3}),
            "room": room, "customer_name": fake.name(), "customer_phone": fake.phone(),
            "content": _pick(rng, {"楼上噪音扰民，要求物业协调": 3, "电梯故障停运时间过长": 2, "地下车库照明不足": 2,
                                   "垃圾清运不及时": 2, "维修人员未按约定时间上门": 2, "物业费账单有疑问": 1, "小区内车辆乱停": 2}),
            "category": _pick(rng, {"服务类": 30, "工程类": 30, "环境类": 18, "安全类": 10, "收费类": 8, "其他类": 4}),
            "valid": valid, "major": rng.random() < 0.04,
            "department": _pick(rng, {"客服中心": 25, "工程部": 35, "秩序维护部": 15, "保洁绿化部": 15, "设备管理部": 8, "财务": 2}),
            "due_at": start + 24 * H, "agreed_at": agreed, "approved_by": approver,
            "completed_at": done, "result": "已处理并答复客户", "status": "已取消" if cancelled else "已完成",
            "related_no": None, "receiver": fake.staff(),
            # 3.8#4.2.1 C: an invalid complaint carries the 客服主管's confirmation
            "invalid_confirmed_by": None if valid else "客服主管" + fake.staff(),
        }
        if cancelled:
            done = _minutes(start + H * rng.randint(1, 6))
            row["completed_at"], row["result"] = done, "客户撤回，客服主管已签名"
        if reopened_from is not None:
            row["_of"] = reopened_from
            row["content"] = "回访不满意，重新处理：" + reopened_from.row["content"]
        e = self.add("complaint-log", start, row, end=done, known={"completed_at": done})
        if not cancelled and valid:
            self.callback(e, "投诉", done, 24)
        return e

    def callback(self, item, subject, done, hours):
        rng, fake = self.rng, self.fake
        r = rng.random()
        if r < 0.03:
            return
        when = done + M * (rng.randint(30, hours * 60 - 30) if r < 0.93 else rng.randint(hours * 60 + 30, hours * 60 + 2880))
        when = _minutes(when)
        method = _pick(rng, {"电话": 80, "上门": 15, "书面": 5})
        result = "书面回访未反馈" if method == "书面" and rng.random() < 0.5 else _pick(rng, {"满意": 74, "基本满意": 17, "不满意": 9})
        row = {"no": None, "visited_at": when, "subject_type": subject, "_link": item, "room": item.row.get("room"),
               "method": method, "content": "处理结果确认", "result": result,
               "opinion": "希望处理再快一些" if result == "不满意" else None,
               "customer_signed": method == "上门", "visitor": fake.staff()}
        self.add("callback-log", when, row, carry=False)
        reopenable = item.row.get("no") != "reopened"
        if result == "不满意" and subject == "投诉" and reopenable and rng.random() < 0.5 and when < self.horizon - 3 * D:
            self.complaint(when + M * rng.randint(10, 120), item)

    # ------------------------------------------------------------ repairs
    def repairs(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(45, month)):
            start = _in_month(rng, month, (7, 22))
            urgent = rng.random() < 0.1
            visit = _minutes(start + H * rng.randint(2, 40)) if not urgent and rng.random() < 0.4 else None
            agreed = _minutes(start + D * rng.randint(3, 7)) if rng.random() < 0.06 else None
            due = agreed or max(start, visit or start) + 24 * H
            cancelled = rng.random() < 0.02
            done = _minutes(start + H * rng.randint(1, 5)) if cancelled else _outcome(rng, start, due, 0.04, 0.01)
            public = rng.random() < 0.25
            dispatched = start + M * rng.randint(3, 15)
            # on site after the dispatch (3.11#4.3.1: urgent within 15 minutes), never after the completion
            arrived = None
            if not cancelled and done is not None:
                arrived = dispatched + M * (rng.randint(5, 20) if urgent else rng.randint(20, 240))
                if visit is not None:
                    arrived = max(arrived, visit)
                arrived = min(arrived, done) if done >= dispatched else None
            # now and then a repair in a home comes back: the same room, linked to the first repair
            earlier = [e for e in self._home_repairs if e.end is not None and e.end < start]
            redo = earlier[rng.randrange(len(earlier))] if earlier and not public and rng.random() < 0.04 else None
            row = {"no": None, "received_at": start, "room": None if public else redo.row["room"] if redo else self.room(),
                   "common_area": f"{rng.randint(1, 9)}栋{rng.randint(1, 2)}单元楼道" if public else None,
                   "contact": None if public else fake.name(), "phone": None if public else fake.phone(),
                   "content": _pick(rng, {"卫生间下水道堵塞": 3, "厨房水龙头漏水": 3, "入户门锁损坏": 2, "楼道灯不亮": 3,
                                          "空调冷凝水管渗漏": 1, "墙面渗水": 1, "电路跳闸": 2}),
                   "urgent": urgent, "visit_at": visit, "agreed_at": agreed, "dispatched_at": dispatched,
                   "repairer": "工程部" + fake.staff(), "arrived_at": arrived, "completed_at": done,
                   "status": "已取消" if cancelled else "已完成", "rework": redo is not None, "related_no": None,
                   "receiver": fake.staff()}
            if redo is not None:
                row["content"] = "返修：" + redo.row["content"]
                row["_link"] = redo
            e = self.add("repair-log", start, row, end=done, known={"completed_at": done, **({"arrived_at": arrived} if arrived else {})})
            if not public and not cancelled:
                self._home_repairs.append(e)
            if not cancelled:
                self.callback(e, "维修", done, 72)

    # ------------------------------------------------------------ calls and visits
    def calls(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(90, month)):
            t = _in_month(rng, month, (7, 22))
            category = _pick(rng, {"咨询": 40, "报修": 25, "投诉": 8, "求助": 10, "建议和表扬": 7, "其他": 10})
            self.add("call-visit-log", t, {
                "no": None, "time": t, "mode": _pick(rng, {"来电": 70, "来访": 30}), "caller": fake.name(),
                "room": self.room(), "phone": fake.phone(), "category": category,
                "matter": {"咨询": "咨询物业费缴纳方式", "报修": "报修，已转报修登记表", "投诉": "投诉，已转投诉处理记录表",
                           "求助": "忘带钥匙求助", "建议和表扬": "表扬保洁人员", "其他": "询问快递柜位置"}[category],
                "referred_no": None, "result": "已答复", "replied_at": t + M * rng.randint(1, 90),
                "handler": fake.staff(), "receiver": fake.staff()}, carry=False)

    def customer_visits(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(20, month)):
            t = _in_month(rng, month, (9, 18))
            self.add("customer-visit-log", t, {
                "no": None, "visited_at": t, "room": self.room(), "customer": fake.name(),
                "visit_type": _pick(rng, {"计划走访": 70, "新入住走访": 10, "重点户走访": 15, "其他": 5}),
                "method": _pick(rng, {"上门": 70, "电话": 30}), "opinion": _pick(rng, {"无": 6, "希望增加儿童游乐设施": 1, "建议夜间加强巡逻": 1}),
                "info_changed": rng.random() < 0.05, "problem": None, "related_no": None, "replied_at": None,
                "customer_signed": True, "visitor": fake.staff()}, carry=False)

    # ------------------------------------------------------------ keys, violations, patrols, memos
    def key_loans(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(14, month)):
            t = _in_month(rng, month, (8, 18))
            due = _minutes(t + H * rng.randint(2, 8))
            r = rng.random()
            back = _minutes(due + M * rng.randint(20, 600)) if r < 0.08 else _minutes(t + M * rng.randint(30, int((due - t).total_seconds() // 60)))
            if r > 0.99:
                back = _minutes(due + D * rng.randint(2, 6))
            self.add("key-loan-log", t, {
                "no": None, "key_no": f"{rng.choice('JWGB')}-{rng.randrange(1, 400):04d}", "count": rng.randint(1, 3),
                "lent_at": t, "borrower": fake.name(), "borrower_dept": _pick(rng, {"工程部": 50, "设备管理部": 20, "秩序维护部": 10, "保洁绿化部": 15, "外单位": 5}),
                "purpose": _pick(rng, {"设备间检修": 3, "水表井查看": 2, "天台清理": 1}), "due_back_at": due, "clerk": fake.staff(),
                "returned_at": back, "return_clerk": fake.staff(), "night": False, "status": "已完成", "remarks": None,
            }, end=back, known={"returned_at": back, "return_clerk": back})

    def violations(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(5, month)):
            t = _in_month(rng, month, (9, 17))
            serious = rng.random() < 0.2
            deadline = (t + (D if serious else 3 * D)).date()
            end_of_deadline = dt.datetime.combine(deadline, dt.time()) + D
            r = rng.random()
            if r < 0.82:
                fixed = _minutes(t + M * rng.randint(60, int((end_of_deadline - t).total_seconds() // 60) - 30))
            else:
                fixed = _minutes(end_of_deadline + D * rng.randint(1, 5) + H * rng.randint(1, 8))
            source = _pick(rng, {"装修巡查": 40, "楼宇巡查": 30, "客户举报": 25, "其他": 5})
            row = {"no": None, "issued_at": t, "room": self.room(), "party": fake.name(),
                   "category": _pick(rng, {"违规装修": 30, "占用损坏公共部位": 25, "堵塞消防通道": 10, "乱张贴涂画": 15, "违规饲养动物": 10, "私拉电线": 10}),
                   "source": source, "facts": "现场发现违章行为并拍照取证", "requirement": "限期恢复原状",
                   "deadline": deadline, "issuer": "周主管", "served_at": t + H * rng.randint(1, 4), "service": "当事人签收",
                   "rectified_at": fixed, "reported": False, "related_no": None, "status": "已完成"}
            first = self.add("violation-notice", t, row, end=fixed, known={"rectified_at": fixed})
            if fixed > end_of_deadline:
                t2 = end_of_deadline + H * rng.randint(9, 16)
                self.add("violation-notice", t2, {**row, "no": None, "issued_at": t2, "deadline": (t2 + 3 * D).date(),
                                                  "served_at": t2 + H, "_link": first, "rectified_at": fixed},
                         end=fixed, known={"rectified_at": fixed})
            if source == "装修巡查":
                self.add("renovation-patrol", t - H, {"room": row["room"], "patrolled_at": t - H, "per_plan": False,
                                                      "structure_ok": True, "passes_ok": True, "fire_ok": True, "hours_ok": True,
                                                      "waste_ok": True, "common_ok": True, "violation_found": True,
                                                      "findings": "发现违规，已开具整改通知书", "_notice": first,
                                                      "inspector": fake.staff()}, carry=False)

    def renovation_patrols(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(16, month)):
            t = _in_month(rng, month, (9, 17))
            self.add("renovation-patrol", t, {"room": self.room(), "patrolled_at": t, "per_plan": True, "structure_ok": True,
                                              "passes_ok": True, "fire_ok": True, "hours_ok": True, "waste_ok": rng.random() < 0.95,
                                              "common_ok": True, "violation_found": False, "findings": None,
                                              "notice_no": None, "inspector": fake.staff()}, carry=False)

    def patrols(self, month):
        rng, fake = self.rng, self.fake
        start, end = window(month)
        day = start
        while day < end:
            for label, hour in (("上午", 9), ("下午", 15)):
                t = day + H * hour + M * rng.randrange(0, 50, 5)
                issue = rng.random() < 0.15
                due = t + H * rng.choice([4, 24, 48]) if issue else None
                done = _outcome(rng, t, due, 0.08, 0.02) if issue else None
                self.add("patrol-log", t, {
                    "no": None, "patrolled_at": t, "round": label, "area": f"{rng.randint(1, 9)}栋及周边",
                    "category": _pick(rng, {"公共部位": 3, "公共设施设备": 3, "清洁绿化": 3, "消防安全": 1}) if issue else "正常",
                    "problem": "发现问题已记录" if issue else None,
                    "handling": _pick(rng, {"当场处理": 2, "报修": 3, "内部工作联系单": 2}) if issue else None,
                    "department": _pick(rng, {"工程部": 3, "保洁绿化部": 2, "秩序维护部": 1}) if issue else None,
                    "related_no": None, "due_at": due, "completed_at": done, "inspector": fake.staff(), "remarks": None,
                }, end=done, known={"completed_at": done} if done else {}, carry=issue)
            day += D

    def memos(self, month):
        rng, fake = self.rng, self.fake
        depts = ["工程部", "秩序维护部", "保洁绿化部", "设备管理部", "财务"]
        for _ in range(self.volume(12, month)):
            t = _in_month(rng, month, (8, 18))
            due = t + H * rng.choice([4, 24, 48])
            done = _outcome(rng, t, due, 0.1, 0.02)
            self.add("internal-memo", t, {
                "no": None, "issued_at": t, "from_dept": "客服中心", "issuer": fake.staff(), "to_dept": rng.choice(depts),
                "complaint": rng.random() < 0.3, "urgent": rng.random() < 0.15, "matter": "请派员处理客户反映的问题",
                "place": None, "due_at": due, "signer": fake.staff(), "signed_at": t + M * rng.randint(5, 60),
                "result": "已处理", "completed_at": done, "handler": fake.staff(), "related_no": None,
            }, end=done, known={"completed_at": done, "result": done, "handler": done})

    # ------------------------------------------------------------ services
    def services(self, month, form, base):
        rng, fake = self.rng, self.fake
        for _ in range(self.volume(base, month)):
            start = _in_month(rng, month, (8, 19))
            urgent = form == "special-service-log" and rng.random() < 0.2
            visit = _minutes(start + D * rng.randint(1, 3)).replace(hour=rng.choice([9, 14]), minute=0)
            scheduled = start + 30 * M if urgent else visit
            arrived = _minutes(scheduled + M * (rng.randint(-15, 0) if rng.random() < 0.9 else rng.randint(10, 60)))
            agreed = scheduled + H * rng.randint(2, 4)
            cancelled = rng.random() < 0.03
            done = _minutes(start + H) if cancelled else _outcome(rng, arrived, agreed + H, 0.05, 0.0)
            row = {"no": None, "received_at": start, "room": self.room(), "status": "已取消" if cancelled else "已完成",
                   "arrived_at": None if cancelled else arrived, "completed_at": done,
                   "amount": Decimal(rng.choice([60, 80, 120, 150, 200, 260])), "receiver": fake.staff(), "remarks": None}
            if form == "housekeeping-log":
                row |= {"contact": fake.name(), "phone": fake.phone(), "service": _pick(rng, {"日常保洁": 5, "开荒保洁": 1, "油烟机清洗": 2}),
                        "requirement": None, "visit_at": visit, "agreed_at": agreed, "staff": fake.staff()}
            else:
                row |= {"customer": fake.name(), "phone": fake.phone(), "service": _pick(rng, {"更换水龙头": 3, "疏通管道": 3, "安装灯具": 2}),
                        "urgent": urgent, "visit_at": None if urgent else visit, "agreed_at": agreed,
                        "team": _pick(rng, {"工程部": 4, "保洁绿化部": 1})}
            e = self.add(form, start, row, end=done, known={"completed_at": done, **({"arrived_at": arrived} if arrived else {})})
            if not cancelled and rng.random() < 0.6:
                self.callback(e, "家政服务" if form == "housekeeping-log" else "特约服务", done, 72)

    # ------------------------------------------------------------ fees
    def fees(self, month):
        rng, fake = self.rng, self.fake
        start, cutoff = window(month)
        due_date = start.date().replace(day=15)
        receipt = 0
        for room in self.site.rooms:
            due = (self.site.areas[room] * Decimal("1.50")).quantize(Decimal("0.01"))
            r = rng.random()
            if r < 0.92:
                paid_at = _minutes(start + M * rng.randint(8 * 60, (cutoff - start).days * 1440 - 600))
            elif r < 0.97:
                paid_at = _minutes(cutoff + D * rng.randint(3, 70))
            else:
                paid_at = None
            by_month_end = due if paid_at is not None and paid_at < cutoff else Decimal("0.00")
            self.add("fee-ledger", start, {"room": room, "payer": fake.name(), "area": self.site.areas[room],
                                           "item": "物业管理费", "month": month, "rate": "1.50元/平方米·月", "due_amount": due,
                                           "paid_by_month_end": by_month_end, "paid_total": by_month_end,
                                           "receipt_no": None, "settled_on": paid_at.date() if by_month_end else None,
                                           "remarks": None}, period=month)
            if paid_at is not None and paid_at < cutoff:
                receipt += 1
                self.add("fee-collection-log", paid_at, {
                    "receipt_no": f"SJ{month.replace('-', '')}{self.site.index + 1}{receipt:04d}", "paid_at": paid_at,
                    "room": room, "payer": fake.name(), "item": "物业管理费", "period": month, "amount": due,
                    "method": _pick(rng, {"扫码": 60, "银行卡": 20, "转账": 15, "现金": 5}), "invoice": rng.random() < 0.1,
                    "cashier": fake.staff(), "remarks": None}, carry=False)
            if paid_at is None or paid_at.date() > due_date:
                self.arrears(room, month, due, due_date, paid_at)

    def arrears(self, room, month, amount, due_date, paid_at):
        rng, fake = self.rng, self.fake
        overdue = dt.datetime.combine(due_date, dt.time()) + D
        settled = paid_at
        self.add("arrears-list", overdue, {"room": room, "payer": fake.name(), "item": "物业管理费", "period": month,
                                           "amount": amount, "due_date": due_date, "overdue_days": None,
                                           "measures": "电话催缴", "reason": _pick(rng, {"遗忘或长期不在本地": 5, "经济困难": 2, "对物业服务不满": 2, "不明": 1}),
                                           "settled_at": settled, "remarks": None},
                 end=settled, known={"settled_at": settled} if settled else {})
        text = f"物业管理费 {month}"
        call = _minutes(overdue + H * rng.randint(9, 18) + D * (rng.randint(0, 6) if rng.random() < 0.93 else rng.randint(7, 12)))
        if settled is None or call < settled:
            self.reminder(room, text, amount, call, "电话", None)
        day30 = overdue + 29 * D
        if settled is None or settled > day30:
            sent = _minutes(day30 + D * (rng.randint(0, 2) if rng.random() < 0.9 else rng.randint(5, 9)) + H * 10)
            if settled is None or sent < settled:
                self.reminder(room, text, amount, sent - H * 2, "书面通知书", sent)

    def reminder(self, room, text, amount, when, method, delivered):
        rng, fake = self.rng, self.fake
        self.add("fee-reminder-log", when, {
            "no": None, "room": room, "payer": fake.name(), "arrears": text, "amount": amount, "reminded_at": when,
            "method": method, "delivered_at": delivered, "delivery": "本人签收" if delivered else None,
            "collector": fake.staff(), "reply": _pick(rng, {"承诺本月缴清": 5, "近期不在本地": 2, "对服务有意见": 1}),
            "reason": None, "promised_on": None, "remarks": None}, carry=False)

    # ------------------------------------------------------------ surveys, events, move-ins, parking, pool
    def surveys(self, month):
        rng = self.rng
        annual = month[5:] == "11"
        scale = {"非常满意": 28, "满意": 46, "基本满意": 18, "不满意": 6, "非常不满意": 2}
        for i in range(self.volume(60 if annual else 15, month)):
            t = _in_month(rng, month)
            valid = rng.random() < 0.95
            row = {"survey_no": f"{month.replace('-', '')}-{i + 1:03d}", "survey_type": "年度" if annual else "月度抽样",
                   "survey_date": t.date(), "room": self.room(), "method": _pick(rng, {"上门": 5, "电话": 4, "电子问卷": 1}),
                   "valid": valid, "overall": _pick(rng, scale) if valid else "不了解", "surveyor": self.fake.staff()}
            for fid in ("svc_reception", "svc_repair", "svc_security", "svc_cleaning", "svc_greening", "svc_facilities", "svc_fees", "svc_events"):
                row[fid] = _pick(rng, {**scale, "不了解": 8})
            self.add("satisfaction-survey", t, row, carry=False)

    def events_(self, month):
        rng, fake = self.rng, self.fake
        held = set()
        for _ in range(rng.choice([0, 1, 1, 2])):
            t = _in_month(rng, month)
            raters = rng.randint(10, 20)
            sat = rng.randint(int(raters * 0.6), raters)
            fair = rng.randint(0, raters - sat)
            name = _pick(rng, {"邻里节游园活动": 1, "消防安全知识讲座": 1, "儿童绘画比赛": 1, "重阳敬老茶话会": 1})
            if (name, t.date()) in held:      # 活动名称 + 日期 is the form's key: one event a day under a name
                continue
            held.add((name, t.date()))
            self.add("community-event-log", t, {
                "name": name,
                "date": t.date(), "place": "小区中心广场", "planned": rng.random() < 0.8, "attendance": rng.randint(30, 150),
                "raters": raters, "satisfied": sat, "fairly_satisfied": fair,
                "satisfaction_rate": (Decimal(sat + fair) * 100 / raters).quantize(Decimal("0.1")),
                "spending": Decimal(rng.randint(5, 40) * 100), "process": "按方案进行", "safety": "无安全事故",
                "feedback": None, "evaluation": None, "organiser": fake.staff()}, carry=False)

    def move_ins(self, month):
        rng, fake = self.rng, self.fake
        moved = set()
        for _ in range(rng.randint(1, 4)):
            t = _in_month(rng, month)
            room = self.room()
            if (room, t.date()) in moved:     # 房号 + 入住日期 is the form's key
                continue
            moved.add((room, t.date()))
            self.add("move-in-register", t, {
                "room": room, "occupant_type": _pick(rng, {"业主": 3, "租户": 2}), "name": fake.name(),
                "id_no": fake.cn_id(), "phone": fake.phone(), "household_size": rng.randint(1, 5),
                "emergency_contact": fake.name(), "emergency_phone": fake.phone(), "plates": None,
                "water_reading": Decimal(rng.randint(0, 300)), "power_reading": Decimal(rng.randint(0, 3000)), "gas_reading": None,
                "cards": rng.randint(1, 4), "moved_in_on": t.date(), "moved_out_on": None, "clerk": fake.staff()}, carry=False)

    def parking(self, month):
        rng, fake = self.rng, self.fake
        for _ in range(rng.randint(0, 3)):
            t = _in_month(rng, month)
            start = t.date() + D * rng.randint(1, 10)
            self.add("parking-lease-log", t, {
                "no": None, "applied_on": t.date(), "queue_no": rng.randint(1, 30), "room": self.room(), "applicant": fake.name(),
                "phone": fake.phone(), "plate": fake.plate(), "space_type": "标准",
                "contract_no": f"CW{t:%Y%m}{rng.randint(1, 99):02d}", "space_no": f"B{rng.randint(1, 300):03d}",
                "start_on": start, "end_on": start.replace(year=start.year + 1) - D, "monthly_rent": Decimal(300),
                "paid_until": start + D * 89, "ended_on": None, "remarks": None}, carry=False)

    def key_households(self, month):
        rng, fake = self.rng, self.fake
        if rng.random() < 0.4:
            t = _in_month(rng, month)
            self.add("key-household-register", t, {
                "no": None, "room": self.room(), "name": fake.name(), "phone": fake.phone(), "emergency_contact": fake.name(),
                "emergency_phone": fake.phone(), "categories": _pick(rng, {"A": 3, "B": 2, "A、C": 1}),
                "concerns": "独居老人，定期走访", "consent": True, "reporter": fake.staff(), "recognised_on": t.date(),
                "approver": "周主管", "last_visit_on": t.date(), "exited_on": None, "destroyed_on": None, "destroyer": None},
                carry=False)

    def pool(self, month):
        rng, fake = self.rng, self.fake
        start, end = window(month)
        day = start
        while day < end:
            visits = rng.randint(40, 220)
            tickets = Decimal(visits * 25)
            cards = Decimal(rng.choice([0, 0, 500, 1000]))
            income = tickets + cards
            self.add("pool-daily-income", day, {
                "date": day.date(), "visits": visits, "ticket_income": tickets, "card_income": cards, "other_income": Decimal(0),
                "income": income, "cash": (income * Decimal("0.1")).quantize(Decimal("0.01")),
                "non_cash": (income * Decimal("0.9")).quantize(Decimal("0.01")), "deposit_in": None, "deposit_out": None,
                "paid_in": income, "reporter": fake.staff(), "reviewer": "泳馆主管", "remarks": None}, carry=False)
            for hour in (9, 14, 19):
                self.add("pool-water-test", day + H * hour, {
                    "date": day.date(), "time": dt.time(hour, 0), "chlorine": Decimal(rng.randint(3, 10)) / 10,
                    "ph": Decimal(rng.randint(70, 78)) / 10, "temperature": Decimal(rng.randint(26, 28)),
                    "turbidity": Decimal(rng.randint(1, 5)) / 10, "tester": fake.staff(), "remarks": None}, carry=False)
            day += D


SIMULATED = {"complaint-log", "callback-log", "repair-log", "call-visit-log", "customer-visit-log", "key-loan-log",
             "violation-notice", "renovation-patrol", "patrol-log", "internal-memo", "housekeeping-log",
             "special-service-log", "fee-ledger", "fee-collection-log", "arrears-list", "fee-reminder-log",
             "satisfaction-survey", "community-event-log", "move-in-register", "parking-lease-log",
             "key-household-register", "pool-daily-income", "pool-water-test"}


def simulate(site, months, rng, fake, handbook) -> list:
    world = World(site, months, rng, fake, handbook)
    for month in months:
        world.complaints(month)
        world.repairs(month)
        world.calls(month)
        world.customer_visits(month)
        world.key_loans(month)
        world.violations(month)
        world.renovation_patrols(month)
        world.patrols(month)
        world.memos(month)
        world.services(month, "housekeeping-log", 7)
        world.services(month, "special-service-log", 8)
        world.fees(month)
        world.surveys(month)
        world.events_(month)
        world.move_ins(month)
        world.parking(month)
        world.key_households(month)
        if site.pool:
            world.pool(month)
    # nothing can be known after the last hand-in date
    for e in world.events:
        for fid, when in list(e.known.items()):
            if when is not None and when > world.horizon:
                e.row[fid] = None
                e.known.pop(fid)
                if e.row.get("status") in ("已完成", "已取消") and fid in ("completed_at", "returned_at", "rectified_at"):
                    e.row["status"] = "处理中"
                if e.end is not None and e.end > world.horizon:
                    e.end = None
    forms = {f.id for f in handbook.record_forms()}
    return [e for e in world.events if e.form in forms]


# ---------------------------------------------------------------- any other record form
def generic(form, site, months, rng, fake) -> list:
    """Rows for a record form the simulation does not know, driven by its field types."""
    events = []
    for month in months:
        for i in range(rng.randint(3, 8)):
            t = _in_month(rng, month)
            row = {}
            for f in form.fields:
                if f.personal and f.format != "room" and "1[3-9]" not in (f.pattern or "") and f.format != "cn-id":
                    row[f.id] = fake.name() if f.type == "string" and not f.pattern else None
                elif f.enum:
                    row[f.id] = rng.choice(f.enum)
                elif f.format == "room":
                    row[f.id] = rng.choice(site.rooms)
                elif f.phone:
                    row[f.id] = fake.phone()
                elif f.format == "cn-id":
                    row[f.id] = fake.cn_id()
                elif f.pattern and r"\d{6}-\d{3}" in f.pattern:
                    row[f.id] = f"{t:%Y%m}-{i + 1:03d}"
                elif f.pattern and r"\d{4}-\d{2}" in f.pattern:
                    row[f.id] = month
                elif f.type == "datetime":
                    row[f.id] = t
                elif f.type == "date":
                    row[f.id] = t.date()
                elif f.type == "time":
                    row[f.id] = t.time()
                elif f.type == "boolean":
                    row[f.id] = rng.random() < 0.8
                elif f.type in ("integer", "number"):
                    lo = int(f.min) if f.min is not None else 0
                    hi = int(f.max) if f.max is not None else lo + 100
                    row[f.id] = rng.randint(lo, hi) if f.type == "integer" else Decimal(rng.randint(lo, hi))
                elif f.pattern:
                    row[f.id] = None
                else:
                    row[f.id] = "示例" if f.required else None
            events.append(Event(form.id, t, row, carry=False))
    return events
