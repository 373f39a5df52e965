"""The intake web app (`/intake/`) and its accounts (`handbook user`): login and its throttling, CSRF,
管理处 permissions, the upload form, pending confirmations, withdrawal by admins only, and a store that cannot
be written.
"""

from .base import HandbookError


class IntakeLoginFailed(HandbookError):
    code = "login-failed"
    title = "登录失败"
    template = "用户名或密码不对，请重新输入。"


class IntakeLoginLocked(HandbookError):
    code = "login-locked"
    title = "登录尝试过多"
    template = "登录失败次数过多，为保护账号已暂停登录，请10分钟后再试。"


class IntakeLoginRequired(HandbookError):
    code = "login-required"
    title = "需要登录"
    template = "请先登录。"


class IntakeCsrf(HandbookError):
    code = "csrf"
    title = "页面已过期"
    template = "页面已过期或不是从本系统提交的，请刷新页面后重新操作。"


class IntakeForbiddenSite(HandbookError):
    code = "forbidden-site"
    title = "无权操作该管理处"
    template = "您的账号不属于管理处“{site}”，不能查看或上传它的记录。"


class IntakeUnknownForm(HandbookError):
    code = "intake-unknown-form"
    title = "记录表不存在"
    template = "没有“{form}”这种记录表，请从列表中选择。"


class IntakeNoFile(HandbookError):
    code = "no-file"
    title = "没有选择文件"
    template = "请先选择要上传的文件（.xlsx 或 .csv）。"


class IntakePendingGone(HandbookError):
    code = "pending-gone"
    title = "待确认的上传已失效"
    template = "这次待确认的上传已失效（超过1小时或已处理），请重新上传。"


class IntakeTooLarge(HandbookError):
    code = "too-large"
    title = "文件太大"
    template = "文件太大：上传的文件不能超过 {mb} MB。请只保留本月的记录，或分成几个文件后再上传。"


class IntakeLoginBackoff(HandbookError):
    code = "login-backoff"
    title = "请稍后再登录"
    template = "这个账号刚才多次登录失败，为保护账号请 {seconds} 秒后再试。"


class IntakeStoreUnavailable(HandbookError):
    code = "store-unavailable"
    title = "记录库暂时无法使用"
    template = "记录库暂时无法写入，这次操作没有完成，原有数据未受影响。请稍后重试；如果一直这样，请联系管理员（服务器日志中有详细原因）。"


class IntakeWithdrawAdminOnly(HandbookError):
    code = "withdraw-admin-only"
    title = "只有管理员可以撤回"
    template = "只有管理员可以撤回已报送的记录。需要更正时，请直接上传更正后的文件。"


class UserPasswordTooShort(HandbookError):
    code = "password-short"
    title = "密码太短"
    template = "密码至少要 {min} 个字符。"


class UserNoSite(HandbookError):
    code = "user-no-site"
    title = "没有指定管理处"
    template = "普通账号至少要指定一个管理处（--site），或用 --admin 建管理员账号。"


class UserAdded(HandbookError):
    code = "user-added"
    title = "账号已保存"
    template = "账号“{name}”已保存（{scope}）。"


class UserRemoved(HandbookError):
    code = "user-removed"
    title = "账号已删除"
    template = "账号“{name}”已删除。"


class UserUnknown(HandbookError):
    code = "user-unknown"
    title = "账号不存在"
    template = "没有名为“{name}”的账号。"
