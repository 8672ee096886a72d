// "Use this answer": copies a suggested FAQ entry's (or earlier) answer into the answer
// form, with the FAQ entry and the notice it relies on.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".use-faq");
  if (!button) return;
  const form = document.getElementById("answer-form");
  if (!form) return;
  form.querySelector("#id_answer").value = button.dataset.answer || "";
  form.querySelector("#id_faq_used").value = button.dataset.faq || "";
  const notice = form.querySelector("#id_notice");
  if (notice && button.dataset.notice) notice.value = button.dataset.notice;
  form.querySelector("#id_answer").focus();
});
