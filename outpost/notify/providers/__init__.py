"""The real channels behind notify's backends: Aliyun SMS, Tencent Cloud SMS, WeCom."""
