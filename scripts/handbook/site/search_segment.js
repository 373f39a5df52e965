/* 客服中心工作手册：中文查询分词与结果排序（由 handbook 插件注入 Material 的搜索 worker）。
 * Material segments an unsegmented Chinese query greedily but never tries the whole
 * run, so "入住" becomes "入*" and "业主投诉" loses "投诉". Here: forward maximum
 * matching against the index's own vocabulary (built with jieba + the project dictionary).
 * Terms are joined by spaces only: Material adds the wildcard itself, and a second "*"
 * would stay in the term and show as "缺少: 停车*". A single character left between
 * words (停车位 → 停车 + 位) is not a word and would rank pages by "1位小数": dropped. */
self.__handbookSegment = function (value, index) {
  var terms = [], i = 0;
  while (i < value.length) {
    var size = 1;
    for (var j = value.length; j > i + 1; j--) {
      if (value.slice(i, j) in index) { size = j - i; break; }
    }
    terms.push(value.slice(i, i + size));
    i += size;
  }
  var words = terms.filter(function (t) { return t.length > 1; });
  return (words.length ? words : terms).join(" ");
};

/* A form ranks below the procedure that owns it unless the query names the form
 * (its title or number): the owner's results move up to just before the form's. */
self.__handbookNames = function (query, form) {
  var q = query.replace(/[\s*+~^]+/g, "").toUpperCase();
  var title = form[1];
  return q.length > 0 && (q.indexOf(title) >= 0 || q.indexOf(form[2]) >= 0 ||
    (title.indexOf(q) === 0 && q.length >= title.length - 1));
};
self.__handbookRank = function (items, query) {
  var forms = self.__handbookForms || {};
  var page = function (group) { return group[0].location.split("#")[0]; };
  var out = items.slice();
  for (var i = 0; i < out.length; i++) {
    var form = forms[page(out[i])];
    if (!form || self.__handbookNames(query, form)) continue;
    for (var j = i + 1; j < out.length; j++) {
      if (page(out[j]) === form[0]) { out.splice(i, 0, out.splice(j, 1)[0]); i++; break; }
    }
  }
  return out;
};
(function () {
  var query = "";
  addEventListener("message", function (ev) { if (ev.data && ev.data.type === 2) query = ev.data.data; });
  var post = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (message && message.type === 3 && message.data && message.data.items) {
      message.data.items = self.__handbookRank(message.data.items, query);
    }
    return post(message);
  };
})();
